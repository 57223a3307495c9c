package datacenter

import (
	"errors"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// TestPreflight: each grant's check against the mock, no person asked
// (the env has no browser): 2LO mints, 3LO gets a request token, OAuth 2
// tells a wrong client secret from a right one.
func TestPreflight(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		s         gitconfig.Settings
		wantToken bool
		want      string // substring of the error; "" for success
	}{
		{"2lo mints", gitconfig.Settings{Grant: grant.OAuth1TwoLegged}, true, ""},
		{"2lo unknown link", gitconfig.Settings{Grant: grant.OAuth1TwoLegged, ConsumerKey: "no-such-link"}, false, "consumer_key_unknown"},
		{"3lo link fine", gitconfig.Settings{Grant: grant.OAuth1, ConsumerKey: mockserver.Test3LOLinkConsumerKey}, false, ""},
		{"3lo unknown link", gitconfig.Settings{Grant: grant.OAuth1, ConsumerKey: "no-such-link"}, false, "consumer_key_unknown"},
		{"oauth2 client fine", gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2, ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: "bbcred-dc-client-test-secret"}, false, ""},
		{"oauth2 wrong secret", gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2, ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: "nope"}, false, "refused the OAuth 2 client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.s
			_, env := mockEnv(t, mockserver.Options{}, &s)
			env.OpenBrowser, env.Interactive = nil, false
			rec, err := New().Preflight(t.Context(), env)
			if (rec != nil && rec.AccessToken != "") != tt.wantToken {
				t.Errorf("record %v; want a token: %v", rec, tt.wantToken)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Preflight: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Preflight: %v; want %q", err, tt.want)
			}
			var ce *auth.ConfigError
			if tt.want != "" && !errors.As(err, &ce) {
				t.Errorf("Preflight: %T is no ConfigError: a setting is to blame", err)
			}
		})
	}
}
