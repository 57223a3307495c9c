package datacenter

import (
	"net/http"
	"regexp"
	"testing"
)

// startPathRE is the single-use start URL the browser is given (issue 10
// point 8).
var startPathRE = regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/start/[A-Za-z0-9_-]{32}$`)

// viaStart checks that the browser was given the start URL, not the
// authorize URL, and returns where it redirects (noFollow must not
// follow redirects).
func viaStart(t *testing.T, noFollow *http.Client, u string) string {
	t.Helper()
	if !startPathRE.MatchString(u) {
		t.Errorf("the browser was given %q, want a loopback start URL", u)
		return u
	}
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Errorf("start URL: %v", err)
		return u
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("start URL answered %d, want 302", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}
