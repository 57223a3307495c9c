// Command git-credential-bitbucket-fast is the fast front of
// git-credential-bitbucket: what configure names in credential.helper
// when it is installed beside the full helper. It answers get from the
// token store and hands everything else to git-credential-bitbucket
// (package helper/front).
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/front"
)

func main() {
	env := os.Environ()
	full := front.Delegate(func([]string, []byte) int { return 1 })
	exe, err := os.Executable()
	if err == nil {
		var p string
		if p, err = front.FullPath(exe); err == nil {
			full = front.Exec(p, env, os.Stderr)
		}
	}
	if err != nil {
		full = func(args []string, _ []byte) int {
			fmt.Fprintf(os.Stderr, "git-credential-bitbucket-fast: %v\n", err)
			if len(args) == 1 && args[0] == "get" {
				return 0
			}
			return 1
		}
	}
	os.Exit(front.Run(os.Args[1:], os.Stdin, os.Stdout, env, time.Now(), full))
}
