package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// thief is where a hostile server redirects: it counts what reached it.
func thief(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeToken(w, "tok-stolen", "rt-stolen", "")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// browserEnv makes env's browser follow redirects, as a person's does.
func browserEnv(t *testing.T, f *fakeCloud, env *auth.Env) {
	env.Interactive = true
	env.OpenBrowser = func(u string) error {
		go func() {
			resp, err := f.srv.Client().Get(u)
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
}

// TestTokenRequestsNeverFollowRedirects: a token endpoint (refresh, code
// exchange, client credentials, JWT) or REST answering 307/308 to another
// server: the request is not re-sent there (the client secret, refresh
// token or JWT would go with it), the error names the target and the
// setting to fix, and nothing is stored. Fails on the old code, whose
// client followed the redirect and accepted the thief's token.
func TestTokenRequestsNeverFollowRedirects(t *testing.T) {
	t.Parallel()
	prev := &tokenstore.Record{Grant: grant.AuthorizationCode, AccessToken: "tok-old", RefreshToken: "rt-old",
		Expiry: testNow.Add(time.Minute)}
	jwtSettings := func(s *gitconfig.Settings) {
		s.ClientID, s.ClientSecret = "", ""
		s.JWTKey, s.JWTClientKey, s.JWTSharedSecret = "connect-app", "client-key-1", "shared-secret-xyz"
	}
	tests := []struct {
		name  string
		grant string
		mod   func(*gitconfig.Settings)
		prev  *tokenstore.Record
		setup func(t *testing.T, f *fakeCloud, env *auth.Env)
	}{
		{"refresh", grant.AuthorizationCode, nil, prev, nil},
		{"client credentials", grant.ClientCredentials, nil, nil, nil},
		{"jwt", grant.JWT, jwtSettings, nil, nil},
		{"code exchange", grant.AuthorizationCode, nil, nil, func(t *testing.T, f *fakeCloud, env *auth.Env) {
			f.authorize = (&approver{}).handler(t)
			browserEnv(t, f, env)
		}},
	}
	for _, tt := range tests {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(fmt.Sprintf("%s %d", tt.name, status), func(t *testing.T) {
				t.Parallel()
				dst, hits := thief(t)
				f := newFakeCloud(t)
				f.token = func(w http.ResponseWriter, _ url.Values, _ int) {
					w.Header().Set("Location", dst.URL+"/site/oauth2/access_token")
					w.WriteHeader(status)
				}
				env := f.env(tt.grant, tt.mod)
				if tt.setup != nil {
					tt.setup(t, f, env)
				}
				got, err := New().Obtain(context.Background(), env, tt.prev, false)
				if got != nil || err == nil {
					t.Fatalf("Obtain = %+v, %v; want an error", got, err)
				}
				for _, want := range []string{dst.URL, "bitbucket.apiURL", "redirect"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name %q", err, want)
					}
				}
				if leak := containsAny(err.Error(), "consumer-secret-xyz", "rt-old", "shared-secret-xyz"); leak != "" {
					t.Errorf("error %q holds %q", err, leak)
				}
				if n := hits.Load(); n != 0 {
					t.Errorf("the redirect target got %d requests", n)
				}
			})
		}
	}
}

// TestAccountNeverFollowsRedirects: GET /2.0/user (with the access
// token) answering 302 elsewhere is an error; the token goes nowhere else.
func TestAccountNeverFollowsRedirects(t *testing.T) {
	t.Parallel()
	dst, hits := thief(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, dst.URL+"/2.0/user", http.StatusFound)
	}))
	t.Cleanup(api.Close)
	f := newFakeCloud(t)
	env := f.env(grant.AuthorizationCode, func(s *gitconfig.Settings) { s.APIURL = api.URL })
	_, err := New().Account(context.Background(), env, &tokenstore.Record{AccessToken: "tok-account", Scopes: "account"})
	if err == nil || !strings.Contains(err.Error(), dst.URL) || !strings.Contains(err.Error(), "bitbucket.apiURL") {
		t.Errorf("err = %v, want one naming %s and bitbucket.apiURL", err, dst.URL)
	}
	if hits.Load() != 0 {
		t.Errorf("the access token reached the redirect target")
	}
}

// TestTokenAnswerHostile is the hostile-input table for token answers: a
// token the helper cannot hand to git, or that would block every later
// get, is refused naming the server and what was wrong; a life it cannot
// believe is an hour, traced. Fails on the old code (the 900 KB token, the
// ESC, the mac type and the 2094 expiry were all stored).
func TestTokenAnswerHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       map[string]any
		wantErr    string        // "": accepted
		wantLife   time.Duration // when accepted
		wantTraced string
	}{
		{"plain", map[string]any{"expires_in": 7200}, "", 2 * time.Hour, ""},
		{"Bearer capitalised", map[string]any{"token_type": "Bearer"}, "", 2 * time.Hour, ""},
		{"cloud-sized token", map[string]any{"access_token": strings.Repeat("A", 2600)}, "", 2 * time.Hour, ""},
		{"900 KB access token", map[string]any{"access_token": strings.Repeat("A", 900_000)}, "of 900000 bytes", 0, ""},
		{"oversize refresh token", map[string]any{"refresh_token": strings.Repeat("r", 17_000)}, "refresh token of 17000 bytes", 0, ""},
		{"ESC in the access token", map[string]any{"access_token": "tok\x1b]0;pwned\x07"}, "outside visible ASCII", 0, ""},
		{"space in the refresh token", map[string]any{"refresh_token": "rt new"}, "refresh token with a character", 0, ""},
		{"non-ASCII token", map[string]any{"access_token": "tokü"}, "outside visible ASCII", 0, ""},
		{"mac token type", map[string]any{"token_type": "mac"}, `token_type "mac"`, 0, ""},
		{"no token type", map[string]any{"token_type": nil}, "token_type", 0, ""},
		{"no expires_in", map[string]any{"expires_in": nil}, "", time.Hour, "no expires_in"},
		{"negative expires_in", map[string]any{"expires_in": -60}, "", time.Hour, "negative expires_in"},
		{"expires_in over 2^31", map[string]any{"expires_in": int64(1) << 32}, "", time.Hour, "over a year"},
		{"expires_in of a year and a second", map[string]any{"expires_in": 365*24*3600 + 1}, "", time.Hour, "over a year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			f.token = func(w http.ResponseWriter, _ url.Values, _ int) {
				body := map[string]any{"access_token": "tok-new", "refresh_token": "rt-new", "token_type": "bearer",
					"expires_in": 7200, "scopes": "repository"}
				for k, v := range tt.body {
					if v == nil {
						delete(body, k)
					} else {
						body[k] = v
					}
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(body)
			}
			env := f.env(grant.ClientCredentials, nil)
			var mu sync.Mutex
			var traces []string
			env.Trace = func(format string, args ...any) {
				mu.Lock()
				traces = append(traces, fmt.Sprintf(format, args...))
				mu.Unlock()
			}
			got, err := New().Obtain(context.Background(), env, nil, false)
			if tt.wantErr != "" {
				if got != nil || err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), f.srv.URL) {
					t.Fatalf("Obtain = %+v, %v; want an error naming %s and %q", got != nil, err, f.srv.URL, tt.wantErr)
				}
				if len(err.Error()) > 400 {
					t.Errorf("error of %d bytes", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			if life := got.Expiry.Sub(testNow); life != tt.wantLife {
				t.Errorf("life = %s, want %s", life, tt.wantLife)
			}
			mu.Lock()
			defer mu.Unlock()
			if tt.wantTraced != "" && !strings.Contains(strings.Join(traces, "\n"), tt.wantTraced) {
				t.Errorf("traces %q do not say %q", traces, tt.wantTraced)
			}
		})
	}
}
