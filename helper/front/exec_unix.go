//go:build unix

package front

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Exec is the Delegate that replaces the process with the full helper at
// full: with the request the front read as its stdin (an anonymous
// in-memory file on Linux, an unlinked 0600 temporary file elsewhere;
// never a pipe, which could not hold a 1 MiB request), else the front's
// own stdin. It returns only when the exec fails: one line on stderr,
// exit 0 for git's get (git goes on to its next helper), else 1.
func Exec(full string, env []string, stderr io.Writer) Delegate {
	return func(args []string, request []byte) int {
		err := exec(full, args, request, env)
		fmt.Fprintf(stderr, "git-credential-bitbucket-fast: cannot run %s: %v\n", full, err)
		if len(args) == 1 && args[0] == "get" {
			return 0
		}
		return 1
	}
}

func exec(full string, args []string, request []byte, env []string) error {
	if request != nil {
		f, err := requestFile(request)
		if err != nil {
			return fmt.Errorf("pass the request on: %w", err)
		}
		if err := unix.Dup2(int(f.Fd()), 0); err != nil { // dup2 clears close-on-exec
			return fmt.Errorf("pass the request on: %w", err)
		}
		f.Close()
	}
	return syscall.Exec(full, append([]string{full}, args...), env)
}

// requestFile is a file holding request, read from its start.
func requestFile(request []byte) (*os.File, error) {
	f, err := memFile()
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(request); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
