package cli

import (
	"io"
	"strings"
	"testing"
	"time"
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
