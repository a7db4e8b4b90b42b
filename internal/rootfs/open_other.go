//go:build !unix

package rootfs

import (
	"fmt"
	"io/fs"
	"os"
)

// openNoFollow refuses a symlink and anything but a regular file before
// opening path: without O_NOFOLLOW the check and the open are two steps.
func openNoFollow(path string) (file, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w", ErrNotRegular)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// osFile is an open *os.File.
type osFile struct{ *os.File }

func (f osFile) stat() (regular bool, size int64, err error) {
	fi, err := f.Stat()
	if err != nil {
		return false, 0, err
	}
	return fi.Mode().IsRegular(), fi.Size(), nil
}
