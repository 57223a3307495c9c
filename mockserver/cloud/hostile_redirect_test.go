package cloud

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// TestHostileCloudRedirectURI: /site/oauth2/authorize with redirect_uri
// values that try to leave the consumer's callback (http://127.0.0.1).
// The answer is the HTML error page or a redirect that stays on
// 127.0.0.1, for the code and the error redirects alike.
// A bare string prefix match on the callback once let the first three
// through (an open redirect handing the code to evil.com).
func TestHostileCloudRedirectURI(t *testing.T) {
	t.Parallel()
	s := newTestState(t, "", true) // auto-approve: a valid authorization redirects at once
	h := s.m.Wrap("cloud", s.Handler())
	tests := []struct {
		name     string
		redirect string
		want     int // 400 page or 302 on 127.0.0.1
	}{
		{"loopback prefix of a host", "http://127.0.0.1.evil.com/", 400},
		{"userinfo, evil host", "http://127.0.0.1@evil.com/", 400},
		{"port and userinfo, evil host", "http://127.0.0.1:41234@evil.com/", 400},
		{"another host", "http://evil.example/", 400},
		{"another loopback address", "http://127.0.0.2/", 400},
		{"https instead of http", "https://127.0.0.1/", 400},
		{"scheme-relative", "//127.0.0.1/", 400},
		{"upper-case scheme", "HTTP://127.0.0.1/", 400},
		{"leading space", " http://127.0.0.1/", 400},
		{"javascript", "javascript:alert(document.domain)//http://127.0.0.1", 400},
		{"data", "data:text/html,<script>alert(1)</script>", 400},
		{"backslash userinfo", `http://127.0.0.1\@evil.com/`, 400},
		{"control character", "http://127.0.0.1/\x00", 400},
		{"encoded dot in the host", "http://127.0.0.1%2eevil.com/", 400},
		{"encoded at in the port", "http://127.0.0.1:80%40evil.com/", 400},
		{"loopback port and path", "http://127.0.0.1:41234/cb", 302},
		{"dot-dot segments", "http://127.0.0.1/cb/../../../evil", 302},
		{"encoded slashes", "http://127.0.0.1/%2f%2fevil.com/%2e%2e", 302},
		{"fragment (RFC 6749 §3.1.2)", "http://127.0.0.1/cb#@evil.com", 400},
		{"query", "http://127.0.0.1/cb?next=http://evil.com", 302},
	}
	for _, tt := range tests {
		for _, rt := range []string{"code", "token", "bogus"} {
			t.Run(tt.name+"/"+rt, func(t *testing.T) {
				t.Parallel()
				q := url.Values{"client_id": {"mock-private"}, "response_type": {rt}, "state": {"st"}, "redirect_uri": {tt.redirect}}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "http://bitbucket.test/site/oauth2/authorize?"+q.Encode(), nil))
				if got := testsupport.CheckNoOpenRedirect(t, rec, "127.0.0.1"); got != tt.want {
					t.Errorf("status %d, want %d (Location %q)", got, tt.want, rec.Header().Get("Location"))
				}
			})
		}
	}

	t.Run("consent form POST", func(t *testing.T) {
		t.Parallel()
		form := url.Values{"client_id": {"mock-private"}, "response_type": {"code"}, "redirect_uri": {"http://evil.example/"}, "decision": {"deny"}}
		req := httptest.NewRequest("POST", "http://bitbucket.test/site/oauth2/authorize", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := testsupport.CheckNoOpenRedirect(t, rec, "127.0.0.1"); got != 400 {
			t.Errorf("status %d, want 400", got)
		}
	})
}

// FuzzCloudExtendsCallback: whatever redirect_uri a client sends, a
// redirect_uri accepted for a callback stays on the callback's scheme and
// host (and port, when the callback has one), carries no userinfo or
// fragment, and starts with the callback string (docs/bitbucket-behaviour.md#cloud-endpoints).
func FuzzCloudExtendsCallback(f *testing.F) {
	callbacks := []string{"http://127.0.0.1", "http://127.0.0.1:7777/cb", "https://ci.example/add-on"}
	for _, s := range []string{"http://127.0.0.1:41234/", "http://127.0.0.1.evil.com/", "http://127.0.0.1@evil.com/",
		"http://127.0.0.1:41234@evil.com/", "http://127.0.0.1:7777/cb/x", "https://ci.example/add-on/function",
		"https://ci.example/add-on.evil.com", "http://127.0.0.1/cb#@evil.com", "HTTP://127.0.0.1/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, redirect string) {
		for _, cb := range callbacks {
			if !extendsCallback(redirect, cb) {
				continue
			}
			r, err := url.Parse(redirect)
			if err != nil {
				t.Fatalf("%q accepted for %q but does not parse: %v", redirect, cb, err)
			}
			c, _ := url.Parse(cb)
			if !strings.HasPrefix(redirect, cb) || r.User != nil || r.Fragment != "" || r.Opaque != "" ||
				!strings.EqualFold(r.Scheme, c.Scheme) || !strings.EqualFold(r.Hostname(), c.Hostname()) ||
				(c.Port() != "" && r.Port() != c.Port()) {
				t.Fatalf("%q accepted for callback %q: scheme %q host %q port %q user %v fragment %q",
					redirect, cb, r.Scheme, r.Hostname(), r.Port(), r.User, r.Fragment)
			}
		}
	})
}
