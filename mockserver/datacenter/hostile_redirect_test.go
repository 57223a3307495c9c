package datacenter

import (
	"net"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// TestHostileDCRedirectURI: /rest/oauth2/latest/authorize matches
// redirect_uri exactly, or on any port for the registered loopback URIs
// (http://127.0.0.1:7777/callback, http://localhost:7777/callback).
func TestHostileDCRedirectURI(t *testing.T) {
	t.Parallel()
	c, st := newTestState(t, true) // auto-approve: a valid authorization redirects at once
	h := c.Wrap("server", st.Handler())
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
				if got := testsupport.CheckNoOpenRedirect(t, rec, host); got != tt.want {
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
