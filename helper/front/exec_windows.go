package front

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Exec is the Delegate that runs the full helper at full as a child
// (Windows has no exec): with the request the front read as its stdin,
// else the front's own, sharing stdout and stderr; the child's exit code
// is the front's.
func Exec(full string, env []string, stderr io.Writer) Delegate {
	return func(args []string, request []byte) int {
		cmd := exec.Command(full, args...)
		cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
		if request != nil {
			cmd.Stdin = bytes.NewReader(request)
		}
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			fmt.Fprintf(stderr, "git-credential-bitbucket-fast: cannot run %s: %v\n", full, err)
			if len(args) == 1 && args[0] == "get" {
				return 0
			}
			return 1
		}
		return 0
	}
}
