package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// TestPreflightAuthorizationCode: the consumer check reads the authorize
// page without following it and exchanges a code never issued; each
// refusal becomes a ConfigError naming the fix, and no secret is in it.
func TestPreflightAuthorizationCode(t *testing.T) {
	t.Parallel()
	page := func(text string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte("<html><h1>" + text + "</h1>This integration is misconfigured.</html>"))
		}
	}
	toLogin := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://id.example.test/login", http.StatusFound)
	}
	tests := []struct {
		name      string
		authorize func(http.ResponseWriter, *http.Request)
		status    int
		code      string
		desc      string
		want      string // "" for success
		tokenAsks int
	}{
		{"consumer fine", toLogin, 400, "invalid_grant", "The specified code is not valid.", "", 1},
		{"unknown client id", page("Invalid client_id"), 0, "", "", `has no OAuth consumer with the key "consumer-key" (the authorize page says "Invalid client_id"): set bitbucket.clientId`, 0},
		{"callback mismatch", page("Invalid redirect_uri"), 0, "", "", `does not accept the redirect http://127.0.0.1:`, 0},
		{"wrong secret", toLogin, 401, "unauthorized_client", "Invalid OAuth client credentials", `the OAuth consumer "consumer-key" refused its secret`, 1},
		{"no callback", toLogin, 400, "invalid_request", "No callback uri defined for the OAuth client.", `has no Callback URL: set it to http://127.0.0.1`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			var sawRedirect string
			f.authorize = func(w http.ResponseWriter, r *http.Request) {
				sawRedirect = r.URL.Query().Get("redirect_uri")
				tt.authorize(w, r)
			}
			f.token = func(w http.ResponseWriter, form url.Values, n int) {
				if form.Get("grant_type") != "authorization_code" || form.Get("code") != preflightCode {
					t.Errorf("token request %v", form)
				}
				writeError(w, tt.status, tt.code, tt.desc)
			}
			rec, err := (&Provider{}).Preflight(context.Background(), f.env(grant.AuthorizationCode, nil))
			if rec != nil {
				t.Errorf("a record from the consumer check: %v", rec)
			}
			if !strings.HasPrefix(sawRedirect, "http://127.0.0.1:") {
				t.Errorf("authorize redirect_uri %q; want the loopback one login uses", sawRedirect)
			}
			if forms, _ := f.requests(); len(forms) != tt.tokenAsks {
				t.Errorf("%d token requests, want %d", len(forms), tt.tokenAsks)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Preflight: %v", err)
				}
				return
			}
			var ce *auth.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(ce.Msg, tt.want) {
				t.Fatalf("Preflight: %v; want a ConfigError with %q", err, tt.want)
			}
			if s := containsAny(err.Error(), "consumer-secret-xyz"); s != "" {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

// TestPreflightClientCredentials: a grant that asks nobody gets a token.
func TestPreflightClientCredentials(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		writeToken(w, "tok-account", "", "client_credentials")
	}
	rec, err := (&Provider{}).Preflight(context.Background(), f.env(grant.ClientCredentials, nil))
	if err != nil || rec == nil || rec.AccessToken != "tok-account" {
		t.Fatalf("Preflight = %v, %v; want the token", rec, err)
	}
}
