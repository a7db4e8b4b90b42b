//go:build unix

package rootfs

import (
	"errors"
	"io"
	"io/fs"
	"syscall"
)

// openNoFollow opens path read-only without following a final symlink and
// without blocking (a FIFO with no writer would block open forever).
//
// It uses the file descriptor as it is rather than an *os.File: the
// standard library registers every file it opens with the network
// poller, which on Linux is one more system call per file (refused for a
// regular file), and a run reads thousands of them.
func openNoFollow(path string) (file, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return &fdFile{fd: fd, name: path}, nil
	}
}

// fdFile is an open file descriptor.
type fdFile struct {
	fd   int
	name string
}

func (f *fdFile) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *fdFile) stat() (regular bool, size int64, err error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(f.fd, &st); err != nil {
		return false, 0, &fs.PathError{Op: "stat", Path: f.name, Err: err}
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFREG, st.Size, nil
}

func (f *fdFile) Close() error { return syscall.Close(f.fd) }
