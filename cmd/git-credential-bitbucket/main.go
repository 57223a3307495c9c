// Command git-credential-bitbucket is a git credential helper that answers
// git with fresh OAuth tokens for Bitbucket Cloud and Server/Data Center.
// See helper/cli.
package main

import (
	"os"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
}
