package datacenter

import (
	"context"
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
)

// TestMockConfigErrors: mistakes only the configuration can fix are
// *auth.ConfigError (the CLI answers quit=1) whose one line names what to
// fix and carries no secret: a base URL without its context path (404) and
// a wrong DC OAuth 2 client secret (invalid_client).
func TestMockConfigErrors(t *testing.T) {
	t.Parallel()
	const wrongSecret = "wrong-dc-secret-TEST-ONLY"
	tests := []struct {
		name        string
		s           *gitconfig.Settings
		dropContext bool   // configure the origin, not .../bitbucket
		refresh     string // a stored refresh token: exercise the refresh leg
		want        []string
	}{
		{name: "2lo without the context path", dropContext: true,
			s:    &gitconfig.Settings{Grant: grant.OAuth1TwoLegged},
			want: []string{"returned 404: is http://127.0.0.1:", " the Bitbucket base URL (including its context path, e.g. /bitbucket)? run configure with the base URL"}},
		{name: "oauth2 without the context path", dropContext: true, refresh: "some-refresh-token",
			s:    &gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2, ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: "bbcred-dc-client-test-secret"},
			want: []string{"returned 404", "including its context path"}},
		{name: "oauth2 wrong client secret on refresh", refresh: "some-refresh-token",
			s:    &gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2, ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: wrongSecret},
			want: []string{"invalid_client", "bitbucket.clientSecret / bitbucket.clientSecretFile", mockserver.TestDCOAuth2ClientID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, env := mockEnv(t, mockserver.Options{}, tt.s)
			if tt.dropContext {
				u, err := url.Parse(run.ServerURL)
				if err != nil {
					t.Fatal(err)
				}
				u.Path = ""
				env.Remote = u
			}
			env.Interactive = false // no browser: a failure must not wait for consent
			var prev *tokenstore.Record
			if tt.refresh != "" {
				prev = &tokenstore.Record{Kind: tt.s.Kind, Grant: tt.s.Grant, RefreshToken: tt.refresh}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			_, err := New().Obtain(ctx, env, prev, false)
			var ce *auth.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Obtain = %v, want an *auth.ConfigError", err)
			}
			msg := ce.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, wrongSecret) || strings.Contains(msg, "bbcred-dc-client-test-secret") {
				t.Errorf("message %q: want one line without secrets", msg)
			}
		})
	}
}
