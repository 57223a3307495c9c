package datacenter

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// thiefDC counts the requests that reach a redirect target.
func thiefDC(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("X-AUSERNAME", "mallory")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1","token":"STOLEN","access_token":"STOLEN","token_type":"bearer","expires_in":3600}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestServerCallsNeverFollowRedirects: every credential-bearing call
// (OAuth 1 legs, whoami, minting, deletion, profile, DC OAuth 2 code
// exchange and refresh) answered with a redirect elsewhere ends in an
// error naming the target and bitbucket.apiURL, and the target never sees
// the request. Fails on the old code, which re-sent signed requests,
// client secrets and refresh tokens to the target.
func TestServerCallsNeverFollowRedirects(t *testing.T) {
	t.Parallel()
	type run func(t *testing.T, p *Provider, env *auth.Env) error
	obtain := func(prev *tokenstore.Record) run {
		return func(t *testing.T, p *Provider, env *auth.Env) error {
			_, err := p.Obtain(t.Context(), env, prev, false)
			return err
		}
	}
	tests := []struct {
		name  string
		route string // the route that redirects
		setup func(t *testing.T) (*Provider, *fakeDC, *auth.Env)
		run   run
	}{
		{"2lo whoami", "GET /rest/api/latest/application-properties", setup2LO(grant.OAuth1TwoLegged, ""), obtain(nil)},
		{"2lo mint", "PUT /rest/access-tokens/1.0/users/svc-ci", setup2LO(grant.OAuth1TwoLegged, ""), obtain(nil)},
		{"impersonated mint", "PUT /rest/access-tokens/1.0/users/alice", setup2LO(grant.OAuth1Impersonate, "alice"), obtain(nil)},
		{"3lo request token", "POST /plugins/servlet/oauth/request-token", setup2LO(grant.OAuth1, ""), obtain(nil)},
		{"revoke", "DELETE /rest/access-tokens/1.0/users/alice/42", setup2LO(grant.OAuth1Impersonate, "alice"),
			func(t *testing.T, p *Provider, env *auth.Env) error {
				return p.Revoke(t.Context(), env, &tokenstore.Record{Grant: grant.OAuth1Impersonate, MintedTokenID: "42", MintedTokenUser: "alice"})
			}},
		{"profile", "GET /rest/api/1.0/users/alice", setup2LO(grant.OAuth1Impersonate, "alice"),
			func(t *testing.T, p *Provider, env *auth.Env) error {
				_, err := p.Account(t.Context(), env, &tokenstore.Record{AccessToken: "MINTED", MintedTokenUser: "alice"})
				return err
			}},
		{"oauth2 code exchange", "POST /rest/oauth2/latest/token", setupOAuth2, obtain(nil)},
		{"oauth2 refresh", "POST /rest/oauth2/latest/token", setupOAuth2,
			obtain(&tokenstore.Record{Grant: grant.OAuth2, RefreshToken: "DCRT-live", Expiry: time.Now().Add(-time.Hour)})},
	}
	for _, tt := range tests {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(fmt.Sprintf("%s %d", tt.name, status), func(t *testing.T) {
				t.Parallel()
				dst, hits := thiefDC(t)
				p, f, env := tt.setup(t)
				f.handle(tt.route, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Location", dst.URL+r.URL.Path)
					w.WriteHeader(status)
				})
				err := tt.run(t, p, env)
				if err == nil {
					t.Fatal("no error")
				}
				for _, want := range []string{dst.URL, "bitbucket.apiURL", "redirect"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "oauth_signature") || strings.Contains(err.Error(), "dc-secret") {
					t.Errorf("error %q holds a secret", err)
				}
				if n := hits.Load(); n != 0 {
					t.Errorf("the redirect target got %d requests", n)
				}
			})
		}
	}
}

func setup2LO(grant, user string) func(t *testing.T) (*Provider, *fakeDC, *auth.Env) {
	return func(t *testing.T) (*Provider, *fakeDC, *auth.Env) {
		f := newFakeDC(t, "/bitbucket")
		var n atomic.Int32
		f.handle("GET /rest/api/latest/application-properties", appProps(t, "", "svc-ci"))
		f.handle("PUT /rest/access-tokens/1.0/users/svc-ci", createTokenHandler(t, "", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
		s := settings2LO(t, grant)
		s.User = user
		env := f.env(s)
		env.Interactive = true
		env.OpenBrowser = consentBrowser(t, f.srv.Client())
		return testProvider(), f, env
	}
}

func setupOAuth2(t *testing.T) (*Provider, *fakeDC, *auth.Env) {
	p, _, f, env := oauth2Setup(t)
	return p, f, env
}

// TestServerTokenAnswerHostile: DC OAuth 2 answers and minted HTTP
// tokens get the same checks as Cloud's: visible ASCII within 16 KiB, a
// bearer type; refused naming the server. A minted token refused is
// deleted at once (it is live on the server and would be tracked by
// nothing). Fails on the old code, which stored all of them.
func TestServerTokenAnswerHostile(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("A", 17<<10)
	oauth2Cases := []struct{ name, body, want string }{
		{"oversize access token", `{"access_token":"` + big + `","token_type":"bearer","expires_in":3600}`, "bytes"},
		{"ESC in the access token", `{"access_token":"AT\u001b[2J","token_type":"bearer","expires_in":3600}`, "visible ASCII"},
		{"space in the refresh token", `{"access_token":"AT","refresh_token":"RT x","token_type":"bearer","expires_in":3600}`, "refresh token"},
		{"mac type", `{"access_token":"AT","token_type":"mac","expires_in":3600}`, "token_type"},
	}
	for _, tt := range oauth2Cases {
		t.Run("oauth2 "+tt.name, func(t *testing.T) {
			t.Parallel()
			p, f, env := setupOAuth2(t)
			f.handle("POST /rest/oauth2/latest/token", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tt.body)
			})
			prev := &tokenstore.Record{Grant: grant.OAuth2, RefreshToken: "DCRT-live", Expiry: time.Now().Add(-time.Hour)}
			rec, err := p.Obtain(t.Context(), env, prev, false)
			if rec != nil || err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), f.base()) {
				t.Fatalf("Obtain = %v, %v; want an error naming %s and %q", rec != nil, err, f.base(), tt.want)
			}
		})
	}
	mintCases := []struct{ name, token, want string }{
		{"oversize", big, "bytes"},
		{"newline", `MINTED\nurl=https://evil`, "visible ASCII"},
		{"ESC", `MINTED\u001b]0;x\u0007`, "visible ASCII"},
	}
	for _, tt := range mintCases {
		t.Run("minted "+tt.name, func(t *testing.T) {
			t.Parallel()
			p, f, env := setup2LO(grant.OAuth1TwoLegged, "")(t)
			var deleted atomic.Int32
			f.handle("PUT /rest/access-tokens/1.0/users/svc-ci", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"id":"777","createdDate":%d,"name":"x","token":"%s"}`, time.Now().UnixMilli(), tt.token)
			})
			f.handle("DELETE /rest/access-tokens/1.0/users/svc-ci/777", func(w http.ResponseWriter, r *http.Request) {
				deleted.Add(1)
				w.WriteHeader(http.StatusNoContent)
			})
			rec, err := p.Obtain(t.Context(), env, nil, false)
			if rec != nil || err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), f.base()) {
				t.Fatalf("Obtain = %v, %v; want an error naming %s and %q", rec != nil, err, f.base(), tt.want)
			}
			if deleted.Load() != 1 {
				t.Errorf("the refused token was deleted %d times, want once", deleted.Load())
			}
		})
	}
}

// TestOAuth2ExpiresInBounded: an expires_in over a year (2^32 s), negative
// or missing is believed for an hour. Fails on the old code (2094).
func TestOAuth2ExpiresInBounded(t *testing.T) {
	t.Parallel()
	for _, exp := range []string{`,"expires_in":4294967296`, `,"expires_in":-5`, ``} {
		p, x, f, env := oauth2Setup(t)
		f.handle("POST /rest/oauth2/latest/token", func(w http.ResponseWriter, r *http.Request) {
			x.mu.Lock()
			x.access["DCAT-X"] = true
			x.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"DCAT-X","refresh_token":"DCRT-X","token_type":"Bearer"`+exp+`}`)
		})
		before := time.Now()
		prev := &tokenstore.Record{Grant: grant.OAuth2, RefreshToken: "DCRT-live", Expiry: before.Add(-time.Hour)}
		rec, err := p.Obtain(t.Context(), env, prev, false)
		if err != nil {
			t.Fatalf("expires_in %q: %v", exp, err)
		}
		if life := rec.Expiry.Sub(before); life < 59*time.Minute || life > 61*time.Minute {
			t.Errorf("expires_in %q: life %s, want 1h", exp, life)
		}
	}
}
