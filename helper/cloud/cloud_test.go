package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

func TestEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		remote, apiURL string
		want           endpoints
	}{
		{"https://bitbucket.org", "", endpoints{"https://bitbucket.org/site/oauth2/authorize", "https://bitbucket.org/site/oauth2/access_token", "https://api.bitbucket.org/2.0"}},
		{"http://127.0.0.1:4100", "", endpoints{"http://127.0.0.1:4100/site/oauth2/authorize", "http://127.0.0.1:4100/site/oauth2/access_token", "http://127.0.0.1:4100/2.0"}},
		{"http://127.0.0.1:4100/acme/widgets.git", "http://127.0.0.1:4200/", endpoints{"http://127.0.0.1:4100/site/oauth2/authorize", "http://127.0.0.1:4100/site/oauth2/access_token", "http://127.0.0.1:4200/2.0"}},
		{"https://bitbucket.org", "https://api.example.test/2.0", endpoints{"https://bitbucket.org/site/oauth2/authorize", "https://bitbucket.org/site/oauth2/access_token", "https://api.example.test/2.0"}},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.remote)
		got, err := endpointsFor(u, &gitconfig.Settings{APIURL: tt.apiURL})
		if err != nil {
			t.Errorf("%s: %v", tt.remote, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(endpoints{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.remote, diff)
		}
	}
}

// TestPlainHTTPAPIURLRefused: status and token send the access token to
// bitbucket.apiURL, so plain http is refused there except on loopback.
func TestPlainHTTPAPIURLRefused(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://bitbucket.org")
	for _, api := range []string{"http://api.example.test", "http://127.0.0.1.example.test:80/2.0"} {
		_, err := endpointsFor(u, &gitconfig.Settings{APIURL: api})
		var cfg *auth.ConfigError
		if !errors.As(err, &cfg) || !strings.Contains(err.Error(), "plain http") {
			t.Errorf("apiURL %s: err = %v, want a config error refusing plain http", api, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	tests := []struct {
		name string
		mod  func(*gitconfig.Settings)
		want string
	}{
		{"implicit", func(s *gitconfig.Settings) { s.Grant = "implicit" }, "use authorization-code"},
		{"no grant", func(s *gitconfig.Settings) { s.Grant = "" }, "bitbucket.grant is not set"},
		{"server grant", func(s *gitconfig.Settings) { s.Grant = "oauth1" }, "not a Bitbucket Cloud grant"},
		{"no client id", func(s *gitconfig.Settings) { s.ClientID = "" }, "bitbucket.clientId is not set"},
		{"no secret", func(s *gitconfig.Settings) { s.ClientSecret = "" }, "needs the consumer's secret"},
		{"jwt without keys", func(s *gitconfig.Settings) { s.Grant = "jwt" }, "bitbucket.jwtKey"},
		{"redirect not loopback", func(s *gitconfig.Settings) {
			s.Grant = "authorization-code"
			s.RedirectURL = "http://example.com/cb"
		}, "on a loopback host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := f.env(grant.ClientCredentials, tt.mod)
			env.Interactive = true
			env.OpenBrowser = func(string) error { return errors.New("no") }
			_, err := New().Obtain(context.Background(), env, nil, false)
			var ce *auth.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(ce.Msg, tt.want) {
				t.Errorf("err = %v, want a ConfigError containing %q", err, tt.want)
			}
		})
	}
}

func TestFreshRecordNeedsNoNetwork(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	prev := &tokenstore.Record{Grant: grant.ClientCredentials, AccessToken: "tok-prev", RefreshToken: "rt-prev", Expiry: testNow.Add(time.Hour)}
	got, err := New().Obtain(context.Background(), f.env(grant.ClientCredentials, nil), prev, false)
	if err != nil || got != prev {
		t.Errorf("Obtain = %v, %v; want prev as is", got, err)
	}
	if forms, _ := f.requests(); len(forms) != 0 {
		t.Errorf("%d token requests, want 0", len(forms))
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		writeToken(w, "tok-new", "rt-rotated", "refresh_token")
	}
	prev := &tokenstore.Record{Grant: grant.AuthorizationCode, AccessToken: "tok-old", RefreshToken: "rt-old",
		Expiry: testNow.Add(time.Minute), Account: "alice"}
	got, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), prev, false)
	if err != nil {
		t.Fatal(err)
	}
	want := &tokenstore.Record{Kind: "cloud", Grant: grant.AuthorizationCode, GitUsername: "x-token-auth",
		AccessToken: "tok-new", TokenType: "bearer", Expiry: testNow.Add(2 * time.Hour),
		Scopes: "repository:write account", RefreshToken: "rt-rotated", Account: "alice",
		RefreshUsed: testNow}
	if !strings.HasPrefix(got.ClientFingerprint, "v1:") || strings.Contains(got.ClientFingerprint, "consumer-secret-xyz") {
		t.Errorf("client fingerprint %q", got.ClientFingerprint)
	}
	got.ClientFingerprint = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	forms, auths := f.requests()
	wantForm := []url.Values{{"grant_type": {"refresh_token"}, "refresh_token": {"rt-old"}}}
	if diff := cmp.Diff(wantForm, forms); diff != "" {
		t.Errorf("token requests (-want +got):\n%s", diff)
	}
	if auths[0] != basicAuth("consumer-key", "consumer-secret-xyz") {
		t.Errorf("client authentication %q, want HTTP Basic", auths[0])
	}
}

func TestRefreshKeepsRefreshTokenWhenNotRotated(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) { writeToken(w, "tok-new", "", "refresh_token") }
	prev := &tokenstore.Record{Grant: grant.AuthorizationCode, RefreshToken: "rt-old"}
	got, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), prev, false)
	if err != nil || got.RefreshToken != "rt-old" || got.AccessToken != "tok-new" {
		t.Errorf("Obtain = %+v, %v; want the new token with the old refresh token", got, err)
	}
}

func TestTransientRefreshFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handler  func(w http.ResponseWriter, n int)
		wantReqs int
		minReqs  int // when set, a machine too slow to fit the last wait may make fewer requests
		wantOK   bool
		maxTime  time.Duration
	}{
		{name: "503 without Retry-After: 250ms doubling until the wait does not fit", wantReqs: 4, minReqs: 3, maxTime: 3500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			// requests at 0, 0.25, 0.75 and 1.75s; a 2s wait does not fit in the 2s timeout
			w.WriteHeader(http.StatusServiceUnavailable)
		}},
		{name: "503 without Retry-After once, then success", wantReqs: 2, wantOK: true, maxTime: 2500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			if n == 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			writeToken(w, "tok-new", "rt-new", "refresh_token")
		}},
		{name: "429 without Retry-After", wantReqs: 1, maxTime: 2500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{name: "503 with Retry-After that fits, then success", wantReqs: 2, wantOK: true, maxTime: 3500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			if n == 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			writeToken(w, "tok-new", "rt-new", "refresh_token")
		}},
		{name: "429 with Retry-After past the deadline", wantReqs: 1, maxTime: 2500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{name: "503 with Retry-After 1: no second wait past the 2s deadline", wantReqs: 2, maxTime: 3500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		}},
		{name: "invalid JSON", wantReqs: 1, maxTime: 2500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token": "tok-half`))
		}},
		{name: "500 echoing the refresh token", wantReqs: 1, maxTime: 2500 * time.Millisecond, handler: func(w http.ResponseWriter, n int) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("broken: rt-old consumer-secret-xyz"))
		}},
		// The 2s timeout must cut the wait: without it this takes 6s.
		{name: "hang", wantReqs: 1, maxTime: 5 * time.Second, handler: func(w http.ResponseWriter, n int) {
			time.Sleep(6 * time.Second)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			f.token = func(w http.ResponseWriter, form url.Values, n int) { tt.handler(w, n) }
			prev := &tokenstore.Record{Grant: grant.AuthorizationCode, AccessToken: "tok-old", RefreshToken: "rt-old", Expiry: testNow.Add(-time.Minute)}
			start := time.Now()
			got, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), prev, false)
			took := time.Since(start)
			if took > tt.maxTime {
				t.Errorf("took %s, want at most %s", took, tt.maxTime)
			}
			lo := tt.wantReqs
			if tt.minReqs > 0 {
				lo = tt.minReqs
			}
			if forms, _ := f.requests(); len(forms) < lo || len(forms) > tt.wantReqs {
				t.Errorf("%d requests, want %d..%d", len(forms), lo, tt.wantReqs)
			}
			if tt.wantOK {
				if err != nil || got.AccessToken != "tok-new" {
					t.Errorf("Obtain = %v, %v; want the new token", got, err)
				}
				return
			}
			if err == nil || got != nil {
				t.Fatalf("Obtain = %v, %v; want no record and an error", got, err)
			}
			if errors.Is(err, auth.ErrInteractionRequired) || isRefusedRefresh(err) {
				t.Errorf("err = %v; want a transient error", err)
			}
			if s := containsAny(err.Error(), "rt-old", "consumer-secret-xyz", "tok-half"); s != "" {
				t.Errorf("error %q contains the secret %q", err, s)
			}
			if prev.RefreshToken != "rt-old" {
				t.Errorf("prev was changed: %q", prev.RefreshToken)
			}
		})
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		writeToken(w, "tok-cc", "rt-cc", "client_credentials")
	}
	env := f.env(grant.ClientCredentials, func(s *gitconfig.Settings) { s.Scopes = "repository, account" })
	got, err := New().Obtain(context.Background(), env, nil, false)
	if err != nil || got.AccessToken != "tok-cc" || got.GitUsername != gitUsername || got.Grant != grant.ClientCredentials {
		t.Fatalf("Obtain = %+v, %v", got, err)
	}
	// The grant runs again on expiry (docs/bitbucket-behaviour.md#cloud-2026): a refresh token the
	// server still sends is not kept.
	if !got.Expiry.Equal(testNow.Add(2 * time.Hour)) {
		t.Errorf("expiry %s, want expires_in against the injected clock (%s)", got.Expiry, testNow.Add(2*time.Hour))
	}
	if got.RefreshToken != "" || !got.RefreshUsed.IsZero() {
		t.Errorf("record keeps refresh token %q (used %s), want none", got.RefreshToken, got.RefreshUsed)
	}
	forms, auths := f.requests()
	want := []url.Values{{"grant_type": {"client_credentials"}, "scope": {"repository account"}}}
	if diff := cmp.Diff(want, forms); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if auths[0] != basicAuth("consumer-key", "consumer-secret-xyz") {
		t.Errorf("client authentication %q", auths[0])
	}
}

func TestNotInteractive(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	_, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), nil, false)
	if !errors.Is(err, auth.ErrInteractionRequired) {
		t.Errorf("err = %v, want ErrInteractionRequired", err)
	}
}

func TestAccount(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	env := f.env(grant.AuthorizationCode, nil)
	tests := []struct {
		rec  *tokenstore.Record
		want string
	}{
		{&tokenstore.Record{AccessToken: "tok-account", Scopes: "repository account"}, "alice (Alice Example)"},
		{&tokenstore.Record{AccessToken: "tok-account", Scopes: "repository", Account: "remembered"}, "remembered"},
		{&tokenstore.Record{AccessToken: "tok-app-user", Scopes: "repository account"}, "app user mock-private"},
	}
	for _, tt := range tests {
		got, err := New().Account(context.Background(), env, tt.rec)
		if err != nil || got != tt.want {
			t.Errorf("Account(%q) = %q, %v; want %q", tt.rec.Scopes, got, err, tt.want)
		}
	}
}
