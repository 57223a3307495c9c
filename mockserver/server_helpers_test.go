package mockserver

import (
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// startServer runs a mock with the default fixtures changed by edit, and
// returns it with the Server/DC base URL (context path included).
func startServer(t *testing.T, opts Options, edit func(*ServerFixtures)) (*Running, string) {
	t.Helper()
	f := DefaultFixtures()
	if edit != nil {
		edit(&f.Server)
	}
	opts.Fixtures = f
	if opts.ReposDir == "" {
		opts.ReposDir = t.TempDir()
	}
	run, err := Start(opts, "", "")
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	t.Cleanup(func() { run.Close() })
	return run, run.ServerURL
}

// o1Req builds an OAuth 1 request signed by testsupport.Signer, every
// protocol parameter under the test's control.
type o1Req = testsupport.O1Req

func strp(s string) *string { return &s }
