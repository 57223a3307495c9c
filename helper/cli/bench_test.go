package cli

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// BenchmarkGetFastPath is a whole `get` answered from the store: parse the
// request, read the store, print. No git, no network.
func BenchmarkGetFastPath(b *testing.B) {
	dir := b.TempDir()
	app := &App{
		Now:      func() time.Time { return testNow },
		StoreDir: dir,
		Git:      "/nonexistent/git",
	}
	st := (&harness{app: app}).store()
	if err := st.Put(record("tok-bench-"+strings.Repeat("x", 2500), "rt-bench", time.Hour)); err != nil {
		b.Fatal(err)
	}
	env := []string{"HOME=" + dir}
	in := request("capability[]=authtype", "capability[]=state")
	var out strings.Builder
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if code := app.Run([]string{"get"}, strings.NewReader(in), &out, io.Discard, env); code != 0 || !strings.Contains(out.String(), "password=tok-bench-") {
			b.Fatalf("exit %d, output %q", code, out.String())
		}
	}
}

// BenchmarkBaselineParseReadPrint is the floor BenchmarkGetFastPath is
// compared with (make bench prints the ratio): the same request parsed, the
// same store read, the same answer written, with none of the CLI around it.
func BenchmarkBaselineParseReadPrint(b *testing.B) {
	dir := b.TempDir()
	st := &tokenstore.Store{Dir: dir}
	if err := st.Put(record("tok-bench-"+strings.Repeat("x", 2500), "rt-bench", time.Hour)); err != nil {
		b.Fatal(err)
	}
	in := request("capability[]=authtype", "capability[]=state")
	b.ReportAllocs()
	for b.Loop() {
		req, err := gitcred.Read(strings.NewReader(in))
		if err != nil {
			b.Fatal(err)
		}
		recs, err := st.List()
		if err != nil || len(recs) != 1 {
			b.Fatalf("list: %v (%d records)", err, len(recs))
		}
		resp := &gitcred.Response{Username: recs[0].GitUsername, Password: recs[0].AccessToken, PasswordExpiry: recs[0].Expiry}
		if err := gitcred.Write(io.Discard, req, resp); err != nil {
			b.Fatal(err)
		}
	}
}
