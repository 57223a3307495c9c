package server

import (
	"bytes"
	"io"
	"net/url"
	"strings"
	"testing"
)

// pasteAccepted is authorizeOAuth2's verdict on a pasted line: the code
// it would exchange, or "" when it refuses.
func pasteAccepted(line, state string) string {
	q := pastedRedirect(line, state)
	if q.Get("error") != "" || q.Get("state") != state {
		return ""
	}
	return q.Get("code")
}

// FuzzPastedRedirect: the paste parser never panics, and a code taken
// from a pasted URL's query always comes with our state (the first state
// value); anything else that is accepted is the whole line taken as a
// bare code, never a code picked out of a URL with a foreign state.
func FuzzPastedRedirect(f *testing.F) {
	f.Add("http://127.0.0.1:7777/callback?code=C&state=S1", "S1")
	f.Add("http://127.0.0.1:7777/callback?code=C&state=S1&state=evil", "S1")
	f.Add("http://127.0.0.1:7777/callback?state=evil&state=S1&code=C", "S1")
	f.Add("http://evil.example/cb?code=C&state=evil", "S1")
	f.Add("javascript:alert(1)", "S1")
	f.Add("?error=access_denied", "S1")
	f.Add("C0DE", "S1")
	f.Fuzz(func(t *testing.T, line, state string) {
		if state == "" {
			return // randomHex never returns ""
		}
		code := pasteAccepted(line, state)
		if code == "" {
			return
		}
		if u, err := url.Parse(line); err == nil && u.RawQuery != "" {
			q, _ := url.ParseQuery(u.RawQuery)
			if len(q["state"]) == 0 || q["state"][0] != state {
				t.Fatalf("pasted %q: code %q accepted with state %q, want %q", line, code, q["state"], state)
			}
			if len(q["code"]) == 0 || q["code"][0] != code || q.Get("error") != "" {
				t.Fatalf("pasted %q: code %q, query %v", line, code, q)
			}
			return
		}
		if code != line {
			t.Fatalf("pasted %q: bare code %q is not the line", line, code)
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
		got, err := readLine(t.Context(), r)
		if err != nil {
			// Only an empty stream fails (a bytes.Reader has no other errors).
			if len(in) != 0 || err != io.EOF {
				t.Fatalf("readLine(%q) = %v", in, err)
			}
			return
		}
		if len(got) > 8192 || strings.Contains(got, "\n") || got != strings.TrimSpace(got) {
			t.Fatalf("readLine(%q) = %q", in, got)
		}
		consumed := len(in) - r.Len()
		if nl := bytes.IndexByte(in, '\n'); nl >= 0 && nl < 8192 {
			if consumed != nl+1 {
				t.Fatalf("readLine(%q) consumed %d bytes, want %d", in, consumed, nl+1)
			}
			if want := strings.TrimSpace(string(in[:nl])); got != want {
				t.Fatalf("readLine(%q) = %q, want %q", in, got, want)
			}
		}
	})
}
