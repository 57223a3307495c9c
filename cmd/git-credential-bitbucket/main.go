// Command git-credential-bitbucket is a git credential helper that answers
// git with fresh OAuth tokens for Bitbucket Cloud and Server/Data Center.
// See helper/cli.
package main

import (
	"os"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
)

// Stamped by release builds (make dist):
// -ldflags "-X main.version=v1.2.0 -X main.commit=<sha> -X main.date=<RFC 3339>".
// Left empty, `version` reads the Go build info instead. Link-time
// constants, never written at run time.
var (
	version string
	commit  string
	date    string
)

func main() {
	app := &cli.App{Build: cli.Build{Version: version, Commit: commit, Date: date}}
	os.Exit(app.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
}
