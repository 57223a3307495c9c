package cloud

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// pasteIsBareCode is the independent reading of a bare code: RFC 3986
// unreserved characters only.
func pasteIsBareCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}

// FuzzParsePaste: the paste parser never panics, and a code is only
// accepted from a URL whose (first) state is ours, or as a bare code made
// of unreserved characters; a URL carrying another state never yields a code.
func FuzzParsePaste(f *testing.F) {
	f.Add("http://127.0.0.1:5/cb?code=c0de&state=S1", "S1")
	f.Add("http://127.0.0.1:5/cb?code=c0de&state=S1&state=evil", "S1")
	f.Add("http://127.0.0.1:5/cb?state=evil&state=S1&code=c", "S1")
	f.Add("javascript:alert(1)//?code=c&state=evil", "S1")
	f.Add("?error=access_denied&state=S1", "S1")
	f.Add("c0de-._~", "S1")
	f.Add("a%00b\r\n", "S1")
	f.Fuzz(func(t *testing.T, line, state string) {
		if state == "" {
			return // randomState never returns ""
		}
		res := parsePaste(line, state)
		if res.err != nil {
			if res.code != "" {
				t.Fatalf("parsePaste(%q) = code %q and error %v", line, res.code, res.err)
			}
			return
		}
		if res.code == "" {
			t.Fatalf("parsePaste(%q) accepted an empty code", line)
		}
		if strings.Contains(line, "?") || strings.Contains(line, "://") {
			u, err := url.Parse(line)
			if err != nil {
				t.Fatalf("parsePaste(%q) accepted %q from an unparsable URL", line, res.code)
			}
			q, _ := url.ParseQuery(u.RawQuery)
			if len(q["state"]) == 0 || q["state"][0] != state {
				t.Fatalf("parsePaste(%q) accepted code %q with state %q, want state %q", line, res.code, q["state"], state)
			}
			if q.Get("error") != "" || q.Get("code") != res.code {
				t.Fatalf("parsePaste(%q) = code %q, query %v", line, res.code, q)
			}
			return
		}
		if !pasteIsBareCode(line) || res.code != line {
			t.Fatalf("parsePaste(%q) accepted bare code %q", line, res.code)
		}
	})
}

// FuzzCallbackHandler: whatever reaches the loopback listener, only a
// request on the redirect path whose state is ours ends the wait, and
// the page never reflects the query unescaped.
func FuzzCallbackHandler(f *testing.F) {
	f.Add("GET", "/cb", "code=c&state=good-state")
	f.Add("POST", "/cb", "code=c&state=evil")
	f.Add("GET", "/cb/", "code=c&state=good-state")
	f.Add("GET", "/cb", "error=<script>alert(1)</script>&error_description=\"x'&state=good-state")
	f.Add("PUT", "//cb", "state=good-state&state=evil&code=%00")
	f.Fuzz(func(t *testing.T, method, path, rawQuery string) {
		const state = "good-state"
		results := make(chan codeResult, 1)
		h := callbackHandler("/cb", state, results)
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Method = method
		req.URL = &url.URL{Path: path, RawQuery: rawQuery}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		q, _ := url.ParseQuery(rawQuery)
		var res codeResult
		delivered := false
		select {
		case res = <-results:
			delivered = true
		default:
		}
		if !delivered {
			if rec.Code == http.StatusOK {
				t.Fatalf("%s %s?%s: 200 without ending the wait", method, path, rawQuery)
			}
			return
		}
		if path != "/cb" || len(q["state"]) == 0 || q["state"][0] != state {
			t.Fatalf("%s %s?%s ended the wait with %+v", method, path, rawQuery, res)
		}
		if res.err == nil && (res.code == "" || res.code != q.Get("code") || q.Get("error") != "") {
			t.Fatalf("%s %s?%s: code %q", method, path, rawQuery, res.code)
		}
		body := rec.Body.String()
		const failPrefix = "<!doctype html><title>Authorization failed</title><p>Authorization failed: "
		if rest, ok := strings.CutPrefix(body, failPrefix); ok {
			if msg := strings.TrimSuffix(rest, "</p>"); strings.ContainsAny(msg, "<>\"'") {
				t.Fatalf("error page reflects the query unescaped: %q", body)
			}
		} else if !strings.Contains(body, "is authorized") {
			t.Fatalf("unexpected page %q", body)
		}
	})
}
