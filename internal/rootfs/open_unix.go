//go:build unix

package rootfs

import (
	"os"
	"syscall"
)

// openNoFollow opens path read-only without following a final symlink and
// without blocking (a FIFO with no writer would block open forever).
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
