// Command bitbucket-mock is an offline Bitbucket Cloud and Server/Data
// Center for tests; see mockserver/README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(mockserver.RunCLI(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
