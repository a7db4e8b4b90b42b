//go:build !unix

package rootfs

import (
	"fmt"
	"io/fs"
	"os"
)

// openNoFollow refuses a symlink and anything but a regular file before
// opening path: without O_NOFOLLOW the check and the open are two steps.
func openNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w", ErrNotRegular)}
	}
	return os.Open(path)
}
