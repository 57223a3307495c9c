package front

import (
	"os"

	"golang.org/x/sys/unix"
)

// memFile is an anonymous in-memory file: the request never touches a
// disk.
func memFile() (*os.File, error) {
	fd, err := unix.MemfdCreate("git-credential-request", unix.MFD_CLOEXEC)
	if err != nil {
		return tempFile()
	}
	return os.NewFile(uintptr(fd), "git-credential-request"), nil
}
