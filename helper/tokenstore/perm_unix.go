//go:build unix

package tokenstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a store path that belongs to another user: tokens
// written there could be read, or planted, by that user.
func checkOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Getuid(); int(st.Uid) != uid {
		return fmt.Errorf("token store: %s belongs to uid %d, not to the current user (uid %d)", path, st.Uid, uid)
	}
	return nil
}

// sharedBits is the group and other permission bits of fi.
func sharedBits(fi fs.FileInfo) fs.FileMode { return fi.Mode().Perm() & 0o077 }

// syncDir makes a rename in dir durable. File systems that cannot sync a
// directory (EINVAL) are tolerated.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		err = nil
	}
	return errors.Join(err, d.Close())
}

// openNoFollow opens path for reading without following a symbolic link
// at its last element, and without blocking on a FIFO planted there.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// isSymlinkErr reports whether err is openNoFollow meeting a symbolic link.
func isSymlinkErr(err error) bool { return errors.Is(err, syscall.ELOOP) }
