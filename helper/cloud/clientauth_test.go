package cloud

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/mocktest"
)

// TestClientAuthRefusedIsConfigError: when the mock's token endpoint
// refuses the client itself (wrong client secret, JWT signed with a wrong
// shared secret), the error is an *auth.ConfigError (quit=1) whose one line
// names the setting to fix and never the secret.
func TestClientAuthRefusedIsConfigError(t *testing.T) {
	t.Parallel()
	const wrong = "wrong-secret-TEST-ONLY"
	tests := []struct {
		name  string
		s     gitconfig.Settings
		prev  *tokenstore.Record
		want  string
		wantN string // the server's words, kept
	}{
		{name: "client credentials, wrong secret",
			s:    gitconfig.Settings{Grant: grant.ClientCredentials, ClientID: "mock-private", ClientSecret: wrong},
			want: "check bitbucket.clientSecret / bitbucket.clientSecretFile and bitbucket.clientId", wantN: "unauthorized_client"},
		{name: "client credentials, public consumer",
			s:    gitconfig.Settings{Grant: grant.ClientCredentials, ClientID: "mock-public", ClientSecret: "mock-public-secret-TEST-ONLY"},
			want: "needs a private OAuth consumer"},
		{name: "jwt, wrong shared secret",
			s:    gitconfig.Settings{Grant: grant.JWT, JWTKey: "mock-connect-app", JWTClientKey: "mock-connect-client-key", JWTSharedSecret: wrong},
			want: "check the Connect shared secret (bitbucket.jwtSharedSecret or bitbucket.clientSecretFile), bitbucket.jwtClientKey and bitbucket.jwtKey", wantN: "Invalid JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := mocktest.StartForTest(t, mockserver.Options{})
			u, err := url.Parse(run.CloudURL)
			if err != nil {
				t.Fatal(err)
			}
			s := tt.s
			s.Kind, s.Timeout, s.RefreshMargin = "cloud", 5*time.Second, 5*time.Minute
			env := &auth.Env{Settings: &s, Remote: u, HTTP: run.HTTPClient(), Now: run.Mock.Now,
				Trace: func(format string, args ...any) { t.Logf("trace: "+format, args...) }}
			_, err = New().Obtain(t.Context(), env, tt.prev, false)
			var ce *auth.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Obtain = %v, want an *auth.ConfigError", err)
			}
			msg := ce.Error()
			for _, w := range []string{tt.want, tt.wantN} {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, wrong) || strings.Contains(msg, "SECRET") {
				t.Errorf("message %q: want one line without a secret", msg)
			}
		})
	}
}

// TestRefreshRefusedBlamesSecretOnlyWhenChanged: a refused refresh is not
// a configuration error (docs/bitbucket-behaviour.md#cloud-2026: unauthorized_client usually means a
// dead refresh token); only when the secret differs from the login's
// does the message say so.
func TestRefreshRefusedBlamesSecretOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	const wrong = "wrong-secret-TEST-ONLY"
	for _, withFingerprint := range []bool{false, true} {
		run := mocktest.StartForTest(t, mockserver.Options{})
		u, err := url.Parse(run.CloudURL)
		if err != nil {
			t.Fatal(err)
		}
		s := gitconfig.Settings{Kind: "cloud", Grant: grant.AuthorizationCode, ClientID: "mock-private", ClientSecret: wrong,
			Timeout: 5 * time.Second, RefreshMargin: 5 * time.Minute}
		env := &auth.Env{Settings: &s, Remote: u, HTTP: run.HTTPClient(), Now: run.Mock.Now,
			Trace: func(format string, args ...any) { t.Logf("trace: "+format, args...) }}
		prev := &tokenstore.Record{Kind: "cloud", Grant: grant.AuthorizationCode, RefreshToken: "some-refresh-token"}
		if withFingerprint {
			prev.ClientFingerprint = fingerprintWith([]byte("salt"), "mock-private", "mock-private-secret-TEST-ONLY")
		}
		rec, err := New().Obtain(t.Context(), env, prev, false)
		var ce *auth.ConfigError
		if errors.As(err, &ce) || !errors.Is(err, auth.ErrRefreshRefused) {
			t.Errorf("fingerprint %t: Obtain = %v, want a refused refresh, not a config error", withFingerprint, err)
			continue
		}
		if got := strings.Contains(err.Error(), "client secret changed"); got != withFingerprint {
			t.Errorf("fingerprint %t: message %q", withFingerprint, err)
		}
		if rec == nil || rec.RefreshToken != "some-refresh-token" || rec.RefreshRefused.IsZero() {
			t.Errorf("fingerprint %t: record %+v, want the refresh token kept as suspect", withFingerprint, rec)
		}
	}
}
