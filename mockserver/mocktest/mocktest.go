// Package mocktest starts bitbucket-mock for other packages' tests.
package mocktest

import (
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// StartForTest starts a mock on two loopback listeners, with its
// repositories in a test temporary directory, and stops it when the test
// ends. Mock logs go to t.Logf unless opts.Logf is set.
func StartForTest(t testing.TB, opts mockserver.Options) *mockserver.Running {
	t.Helper()
	if opts.ReposDir == "" {
		opts.ReposDir = t.TempDir()
	}
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	r, err := mockserver.Start(opts, "", "")
	if err != nil {
		t.Fatalf("start bitbucket-mock: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("stop bitbucket-mock: %v", err)
		}
	})
	return r
}
