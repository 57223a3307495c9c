package mockserver

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// hostileMock is a mock with auto-approve (so a valid authorization
// redirects at once), served in-process.
func hostileMock(t *testing.T) *Mock {
	t.Helper()
	m, err := New(Options{AutoApprove: true, ReposDir: t.TempDir()})
	if err != nil {
		t.Fatalf("new mock: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// checkNoOpenRedirect: the answer is the HTML error page (400, no
// Location), or a 302 to plain http on wantHost. It returns the status.
func checkNoOpenRedirect(t *testing.T, rec *httptest.ResponseRecorder, wantHost string) int {
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

// TestHostileCloudRedirectURI: /site/oauth2/authorize with redirect_uri
// values that try to leave the consumer's callback (http://127.0.0.1).
// The answer is the HTML error page or a redirect that stays on
// 127.0.0.1, for the code and the error redirects alike.
// A bare string prefix match on the callback once let the first three
// through (an open redirect handing the code to evil.com).
func TestHostileCloudRedirectURI(t *testing.T) {
	t.Parallel()
	m := hostileMock(t)
	h := m.CloudHandler()
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
				if got := checkNoOpenRedirect(t, rec, "127.0.0.1"); got != tt.want {
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
		if got := checkNoOpenRedirect(t, rec, "127.0.0.1"); got != 400 {
			t.Errorf("status %d, want 400", got)
		}
	})
}

// TestHostileDCRedirectURI: /rest/oauth2/latest/authorize matches
// redirect_uri exactly, or on any port for the registered loopback URIs
// (http://127.0.0.1:7777/callback, http://localhost:7777/callback).
func TestHostileDCRedirectURI(t *testing.T) {
	t.Parallel()
	m := hostileMock(t)
	h := m.ServerHandler()
	tests := []struct {
		name     string
		redirect string
		want     int
		host     string // 302: the Location's host
	}{
		{"registered", "http://127.0.0.1:7777/callback", 302, "127.0.0.1"},
		{"registered, other port", "http://127.0.0.1:1/callback", 302, "127.0.0.1"},
		{"registered localhost, no port", "http://localhost/callback", 302, "localhost"},
		{"missing", "", 400, ""},
		{"another host", "http://evil.example:7777/callback", 400, ""},
		{"loopback prefix of a host", "http://127.0.0.1.evil.com:7777/callback", 400, ""},
		{"localhost prefix of a host", "http://localhost.evil.com/callback", 400, ""},
		{"userinfo, evil host", "http://127.0.0.1:7777@evil.com/callback", 400, ""},
		{"backslash userinfo", `http://127.0.0.1:7777\@evil.com/callback`, 400, ""},
		{"another loopback address", "http://127.0.0.2:7777/callback", 400, ""},
		{"IPv6 loopback not registered", "http://[::1]:7777/callback", 400, ""},
		{"short IPv4 form", "http://127.1:7777/callback", 400, ""},
		{"https", "https://127.0.0.1:7777/callback", 400, ""},
		{"scheme-relative", "//127.0.0.1:7777/callback", 400, ""},
		{"dot-dot segments", "http://127.0.0.1:7777/callback/../evil", 400, ""},
		{"dot-dot to the registered path", "http://127.0.0.1:7777/x/../callback", 400, ""},
		{"encoded slash", "http://127.0.0.1:7777/callback%2f..%2fevil", 400, ""},
		{"encoded path", "http://127.0.0.1:7777/%63allback", 400, ""},
		{"path extension", "http://127.0.0.1:7777/callback/evil", 400, ""},
		{"fragment", "http://127.0.0.1:7777/callback#@evil.com", 400, ""},
		{"fragment on another port", "http://127.0.0.1:1/callback#x", 400, ""},
		{"query", "http://127.0.0.1:7777/callback?next=http://evil.com", 400, ""},
		{"javascript", "javascript:alert(1)//http://127.0.0.1:7777/callback", 400, ""},
		{"data", "data:text/html,http://127.0.0.1:7777/callback", 400, ""},
		{"control character", "http://127.0.0.1:7777/callback\x00", 400, ""},
	}
	for _, tt := range tests {
		for _, rt := range []string{"code", "token"} {
			t.Run(tt.name+"/"+rt, func(t *testing.T) {
				t.Parallel()
				q := url.Values{"client_id": {TestDCOAuth2ClientID}, "response_type": {rt}, "state": {"st"}, "scope": {"REPO_READ"}, "redirect_uri": {tt.redirect}}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1:7990/bitbucket/rest/oauth2/latest/authorize?"+q.Encode(), nil))
				host := tt.host
				if host == "" {
					host = "127.0.0.1"
				}
				if got := checkNoOpenRedirect(t, rec, host); got != tt.want {
					t.Errorf("status %d, want %d (Location %q)", got, tt.want, rec.Header().Get("Location"))
				}
			})
		}
	}
}

// FuzzDCRedirectURIMatches: a redirect_uri DC accepts is a registered one,
// or plain http on the same loopback host with the same path and query;
// never another host, never a fragment.
func FuzzDCRedirectURIMatches(f *testing.F) {
	registered := []string{"http://127.0.0.1:7777/callback", "http://localhost:7777/callback", "https://ci.example/cb?x=1"}
	for _, s := range []string{"http://127.0.0.1:1/callback", "http://127.0.0.1.evil.com/callback", "http://127.0.0.1:7777@evil.com/callback",
		"http://[::1]:1/callback", "http://localhost:0/callback#x", "https://ci.example/cb?x=1", "http://127.0.0.1:7777/callback/../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, got string) {
		if !redirectURIMatches(registered, got) {
			return
		}
		for _, r := range registered {
			if got == r {
				return
			}
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q matched but does not parse: %v", got, err)
		}
		h := u.Hostname()
		if u.Scheme != "http" || u.Fragment != "" || u.Opaque != "" || (h != "127.0.0.1" && h != "localhost") {
			t.Fatalf("%q matched: scheme %q host %q fragment %q", got, u.Scheme, h, u.Fragment)
		}
		if ip := net.ParseIP(h); h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("%q matched a non-loopback host", got)
		}
		if u.EscapedPath() != "/callback" || u.RawQuery != "" {
			t.Fatalf("%q matched with path %q query %q", got, u.EscapedPath(), u.RawQuery)
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
