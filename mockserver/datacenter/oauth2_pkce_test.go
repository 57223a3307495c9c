package datacenter

import (
	"context"
	"testing"

	"golang.org/x/oauth2"
)

// TestDCOAuth2PKCELenient: the choices of issue 11 (server_oauth2_pkce.go):
// plain and lowercase s256 work, and a PKCE client may omit its secret.
func TestDCOAuth2PKCELenient(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{AutoApprove: true}, nil)
	ctx := context.Background()
	withSecret := dcConfig(base, "http://127.0.0.1:7777/callback")
	public := dcConfig(base, "http://127.0.0.1:7777/callback")
	public.ClientSecret = ""
	verifier := oauth2.GenerateVerifier()
	s256 := oauth2.S256ChallengeFromVerifier(verifier)
	opt := oauth2.SetAuthURLParam
	tests := []struct {
		name      string
		cfg       *oauth2.Config
		authorize []oauth2.AuthCodeOption
		verifier  string
		wantErr   string // "" = a token
	}{
		{"plain", withSecret, []oauth2.AuthCodeOption{opt("code_challenge", verifier), opt("code_challenge_method", "plain")}, verifier, ""},
		{"plain wrong verifier", withSecret, []oauth2.AuthCodeOption{opt("code_challenge", verifier), opt("code_challenge_method", "plain")}, verifier + "x", "invalid_grant"},
		{"lowercase s256", withSecret, []oauth2.AuthCodeOption{opt("code_challenge", s256), opt("code_challenge_method", "s256")}, verifier, ""},
		{"no secret with PKCE", public, []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, verifier, ""},
		{"no secret, wrong verifier", public, []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, "wrong" + verifier, "invalid_grant"},
		{"no secret without PKCE", public, nil, "", "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := authorizeDC(t, tt.cfg.AuthCodeURL("st", tt.authorize...))
			var opts []oauth2.AuthCodeOption
			if tt.verifier != "" {
				opts = append(opts, oauth2.VerifierOption(tt.verifier))
			}
			tok, err := tt.cfg.Exchange(ctx, q.Get("code"), opts...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("exchange: %v", err)
			case tt.wantErr != "" && !isOAuth2Error(err, tt.wantErr):
				t.Fatalf("exchange: %v, want %s", err, tt.wantErr)
			case tt.wantErr != "":
				return
			}
			// A public client refreshes its own tokens without a secret;
			// a confidential client's refresh token needs the secret.
			_, err = public.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if tt.cfg == public && err != nil {
				t.Errorf("public refresh: %v", err)
			}
			if tt.cfg != public && !isOAuth2Error(err, "invalid_client") {
				t.Errorf("secret-less refresh of a confidential grant: %v, want invalid_client", err)
			}
		})
	}
}
