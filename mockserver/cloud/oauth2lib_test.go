package cloud_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// TestCloudWithGolangOAuth2: a client nobody here wrote works against the
// mock, in every auth style (docs/bitbucket-behaviour.md#cloud-client-auth).
func TestCloudWithGolangOAuth2(t *testing.T) {
	t.Parallel()
	const key, secret = "x/oauth2 consumer", "secret with +/&= TEST-ONLY"
	run := mockhttp.CloudMock2025(t, mockserver.Options{AutoApprove: true}, func(f *mockserver.CloudFixtures) {
		f.Consumers = append(f.Consumers, mockserver.CloudConsumer{Key: key, Secret: secret, CallbackURL: "http://127.0.0.1",
			Private: true, Scopes: []string{"repository", "account"}, Owner: "bob", RefreshRotation: "rotate"})
	})
	styles := []struct {
		name  string
		style oauth2.AuthStyle
	}{{"in header", oauth2.AuthStyleInHeader}, {"in params", oauth2.AuthStyleInParams}, {"auto detect", oauth2.AuthStyleAutoDetect}}
	for _, st := range styles {
		t.Run("authorization code "+st.name, func(t *testing.T) {
			t.Parallel()
			cfg := &oauth2.Config{
				ClientID: key, ClientSecret: secret,
				Endpoint: oauth2.Endpoint{
					AuthURL: run.CloudURL + "/site/oauth2/authorize", TokenURL: run.CloudURL + "/site/oauth2/access_token", AuthStyle: st.style,
				},
				RedirectURL: "http://127.0.0.1:9/callback",
				Scopes:      []string{"repository:write", "account"},
			}
			verifier := oauth2.GenerateVerifier()
			authURL := cfg.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier))
			r := mockhttp.Do(t, mockhttp.NewRequest(t, http.MethodGet, authURL, nil))
			loc, err := url.Parse(r.Header.Get("Location"))
			if err != nil || loc.Query().Get("state") != "state-123" {
				t.Fatalf("authorize: %d %q", r.Status, r.Header.Get("Location"))
			}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
			tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.TokenType != "bearer" || tok.RefreshToken == "" || tok.Extra("scopes") != "repository account" || tok.Extra("state") != "authorization_code" {
				t.Errorf("token type %q, refresh %v, scopes %v, state %v", tok.TokenType, tok.RefreshToken != "", tok.Extra("scopes"), tok.Extra("state"))
			}
			if d := time.Until(tok.Expiry); d < 119*time.Minute || d > 121*time.Minute {
				t.Errorf("expiry in %v, want 2h", d)
			}
			// Refresh through a TokenSource with an expired token.
			old := *tok
			old.Expiry = time.Now().Add(-time.Minute)
			fresh, err := cfg.TokenSource(ctx, &old).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
				t.Error("refresh with rotation returned old tokens")
			}
			resp, err := cfg.Client(ctx, fresh).Get(run.CloudURL + "/2.0/user")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("/2.0/user with the refreshed token: %d", resp.StatusCode)
			}
			// A bad refresh token surfaces as *oauth2.RetrieveError with Cloud's code.
			bad := old
			bad.RefreshToken = "not-a-refresh-token"
			_, err = cfg.TokenSource(ctx, &bad).Token()
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_request" || re.ErrorDescription != "Invalid refresh_token" {
				t.Errorf("bad refresh: %v", err)
			}
		})
		t.Run("client credentials "+st.name, func(t *testing.T) {
			t.Parallel()
			cfg := clientcredentials.Config{ClientID: key, ClientSecret: secret, TokenURL: run.CloudURL + "/site/oauth2/access_token", AuthStyle: st.style}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("token: %v", err)
			}
			if tok.AccessToken == "" || tok.Extra("state") != "client_credentials" {
				t.Errorf("token %v state %v", tok.AccessToken != "", tok.Extra("state"))
			}
			wrong := cfg
			wrong.ClientSecret = "wrong"
			_, err = wrong.Token(ctx)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.Response.StatusCode != 401 || re.ErrorCode != "unauthorized_client" {
				t.Errorf("wrong secret: %v", err)
			}
		})
	}
}
