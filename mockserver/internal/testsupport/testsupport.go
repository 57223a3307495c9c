// Package testsupport holds what the tests of both products share: the
// open-redirect check of the hostile redirect_uri tests, the sweep-edge
// check, Do, and an OAuth 1 RSA-SHA1 client written from RFC 5849 apart
// from the code under test. Only tests import it.
package testsupport

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// CheckNoOpenRedirect: the answer is the HTML error page (400, no
// Location), or a 302 to plain http on wantHost. It returns the status.
func CheckNoOpenRedirect(t testing.TB, rec *httptest.ResponseRecorder, wantHost string) int {
	t.Helper()
	loc := rec.Header().Get("Location")
	switch rec.Code {
	case http.StatusBadRequest:
		if loc != "" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("400 with Location %q, Content-Type %q; want the HTML error page", loc, rec.Header().Get("Content-Type"))
		}
	case http.StatusFound:
		u, err := url.Parse(loc)
		if err != nil || !strings.EqualFold(u.Scheme, "http") || u.Hostname() != wantHost || u.Opaque != "" {
			t.Errorf("302 to %q: outside http://%s", loc, wantHost)
		}
	default:
		t.Errorf("status %d (%s), want 400 or 302", rec.Code, rec.Body)
	}
	return rec.Code
}

// Do sends req with c (nil: a client that stops at redirects) and returns
// status, headers and body.
func Do(t testing.TB, c *http.Client, req *http.Request) (int, http.Header, string) {
	t.Helper()
	if c == nil {
		c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// SweepEdge checks a store holding one entry: a sweep at the instant
// before edge keeps it (count 1), a sweep at edge drops it (count 0).
func SweepEdge(t testing.TB, sweep func(now time.Time) int, count func() int, edge time.Time) {
	t.Helper()
	sweep(edge.Add(-time.Nanosecond))
	if n := count(); n != 1 {
		t.Fatalf("just before the edge: %d entries, want 1 kept", n)
	}
	sweep(edge)
	if n := count(); n != 0 {
		t.Fatalf("at the edge: %d entries, want 0", n)
	}
}
