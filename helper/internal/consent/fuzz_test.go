package consent

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// pasteIsBareCode is the independent reading of a bare code: RFC 3986
// unreserved characters only, 1 to 512 of them.
func pasteIsBareCode(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// FuzzPaste: the paste parser never panics, and a code is only accepted
// from a URL whose (first) state is ours, or as a bare code matching
// ^[A-Za-z0-9._~-]{1,512}$; a URL carrying another state never yields a
// code, and neither does anything else.
func FuzzPaste(f *testing.F) {
	f.Add("http://127.0.0.1:5/cb?code=c0de&state=S1", "S1")
	f.Add("http://127.0.0.1:5/cb?code=c0de&state=S1&state=evil", "S1")
	f.Add("http://127.0.0.1:5/cb?state=evil&state=S1&code=c", "S1")
	f.Add("javascript:alert(1)//?code=c&state=evil", "S1")
	f.Add("javascript:alert(document.cookie)", "S1")
	f.Add("?error=access_denied&state=S1", "S1")
	f.Add("c0de-._~", "S1")
	f.Add("a%00b\r\n", "S1")
	f.Add(strings.Repeat("a", 513), "S1")
	f.Fuzz(func(t *testing.T, line, state string) {
		if state == "" {
			return // the providers' states are never ""
		}
		code, err := Paste(line, state)
		if err != nil {
			if code != "" {
				t.Fatalf("Paste(%q) = code %q and error %v", line, code, err)
			}
			return
		}
		if code == "" {
			t.Fatalf("Paste(%q) accepted an empty code", line)
		}
		if strings.Contains(line, "?") || strings.Contains(line, "://") {
			u, err := url.Parse(line)
			if err != nil {
				t.Fatalf("Paste(%q) accepted %q from an unparsable URL", line, code)
			}
			q, _ := url.ParseQuery(u.RawQuery)
			if len(q["state"]) == 0 || q["state"][0] != state {
				t.Fatalf("Paste(%q) accepted code %q with state %q, want state %q", line, code, q["state"], state)
			}
			if q.Get("error") != "" || q.Get("code") != code {
				t.Fatalf("Paste(%q) = code %q, query %v", line, code, q)
			}
			return
		}
		if !pasteIsBareCode(line) || code != line {
			t.Fatalf("Paste(%q) accepted bare code %q", line, code)
		}
	})
}

// FuzzCallback: whatever reaches the loopback listener, only a GET on the
// redirect path whose (first) state is ours ends the wait, a 200 always
// means it did, and the page never reflects the query unescaped.
func FuzzCallback(f *testing.F) {
	f.Add("GET", "/cb", "code=c&state=good-state")
	f.Add("POST", "/cb", "code=c&state=good-state")
	f.Add("GET", "/cb/", "code=c&state=good-state")
	f.Add("GET", "/cb", "error=<script>alert(1)</script>&error_description=\"x'&state=good-state")
	f.Add("GET", "/cb", "error=access_denied")
	f.Add("PUT", "//cb", "state=good-state&state=evil&code=%00")
	f.Fuzz(func(t *testing.T, method, path, rawQuery string) {
		const state = "good-state"
		cb := newCallback("/cb")
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Method = method
		req.URL = &url.URL{Path: path, RawQuery: rawQuery}
		rec := httptest.NewRecorder()
		cb.handler(StateIs(state)).ServeHTTP(rec, req)
		q, _ := url.ParseQuery(rawQuery)
		select {
		case got := <-cb.Done():
			if method != http.MethodGet || path != "/cb" || len(q["state"]) == 0 || q["state"][0] != state {
				t.Fatalf("%s %s?%s ended the wait with %v", method, path, rawQuery, got)
			}
		default:
			if rec.Code == http.StatusOK {
				t.Fatalf("%s %s?%s: 200 without ending the wait", method, path, rawQuery)
			}
			return
		}
		body := rec.Body.String()
		if rest, ok := strings.CutPrefix(body, "<!doctype html><title>git-credential-bitbucket</title><p>"); !ok {
			t.Fatalf("unexpected page %q", body)
		} else if msg := strings.TrimSuffix(rest, "</p>\n"); strings.ContainsAny(msg, "<>\"'") {
			t.Fatalf("page reflects the query unescaped: %q", body)
		}
	})
}

// FuzzReadLine: one terminal line, never more than 8 KiB, never past the
// newline, trimmed, and no panic on any input.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte("  V123 \nrest"))
	f.Add([]byte("http://127.0.0.1:1/cb?code=C&state=S\r\n"))
	f.Add([]byte("\x00\xff\n\n"))
	f.Add(bytes.Repeat([]byte("a"), 9000))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		got, err := ReadLine(t.Context(), r)
		nl := bytes.IndexByte(in, '\n')
		lineLen := nl
		if nl < 0 {
			lineLen = len(in)
		}
		if lineLen > maxLine {
			if err == nil || !strings.Contains(err.Error(), "longer than") {
				t.Fatalf("ReadLine(%d-byte line) = %q, %v; want too long", lineLen, got, err)
			}
			return
		}
		if err != nil {
			// Only an empty stream fails (a bytes.Reader has no other errors).
			if len(in) != 0 || !errors.Is(err, io.EOF) {
				t.Fatalf("ReadLine(%q) = %v", in, err)
			}
			return
		}
		if want := strings.TrimSpace(string(in[:lineLen])); got != want {
			t.Fatalf("ReadLine(%q) = %q, want %q", in, got, want)
		}
		if consumed := len(in) - r.Len(); nl >= 0 && consumed != nl+1 {
			t.Fatalf("ReadLine(%q) consumed %d bytes, want %d", in, consumed, nl+1)
		}
	})
}
