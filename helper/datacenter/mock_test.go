package datacenter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/mocktest"
)

// mockEnv starts the in-process mock (consent auto-approved) and returns
// an env for it (see envFor).
func mockEnv(t *testing.T, opts mockserver.Options, s *gitconfig.Settings) (*mockserver.Running, *auth.Env) {
	t.Helper()
	opts.AutoApprove = true
	run := mocktest.StartForTest(t, opts)
	return run, envFor(t, run, s)
}

// envFor returns an env for the grant in s whose clock is the mock's, so
// OAuth timestamps follow m.Advance; the application link's test key is
// filled in unless s names one.
func envFor(t *testing.T, run *mockserver.Running, s *gitconfig.Settings) *auth.Env {
	t.Helper()
	if s.ConsumerKey == "" && strings.HasPrefix(s.Grant, "oauth1") {
		s.ConsumerKey = mockserver.TestLinkConsumerKey
	}
	if s.PrivateKeyFile == "" && strings.HasPrefix(s.Grant, "oauth1") {
		pemKey := mockserver.TestLinkPrivateKeyPEM()
		if s.ConsumerKey == mockserver.Test3LOLinkConsumerKey {
			pemKey = mockserver.Test3LOLinkPrivateKeyPEM()
		}
		s.PrivateKeyFile = writeKeyFile(t, []byte(pemKey), 0o600)
	}
	if s.Kind == "" {
		s.Kind = "server"
	}
	remote, err := url.Parse(run.ServerURL)
	if err != nil {
		t.Fatal(err)
	}
	client := run.HTTPClient()
	return &auth.Env{
		Settings:    s,
		Remote:      remote,
		HTTP:        client,
		Now:         run.Mock.Now,
		Interactive: true,
		OpenBrowser: consentBrowser(t, client),
		Trace:       func(format string, args ...any) { t.Logf("trace: "+format, args...) },
	}
}

// liveTokens lists user's HTTP access tokens on the mock (Basic with the
// given token), returning the ids of those not yet expired.
func liveTokens(t *testing.T, run *mockserver.Running, user, token string) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, run.ServerURL+"/rest/access-tokens/1.0/users/"+user, nil)
	req.SetBasicAuth(user, token)
	resp, err := run.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list tokens: HTTP %d", resp.StatusCode)
	}
	var page struct {
		Values []struct {
			ID         string `json:"id"`
			ExpiryDate int64  `json:"expiryDate"`
		} `json:"values"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range page.Values {
		if v.ExpiryDate == 0 || time.UnixMilli(v.ExpiryDate).After(run.Mock.Now()) {
			ids = append(ids, v.ID)
		}
	}
	return ids
}

// gitAuth checks that user:token is accepted for git on PROJ/widgets.
func gitAuth(t *testing.T, run *mockserver.Running, user, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, run.ServerURL+"/scm/proj/widgets.git/info/refs?service=git-upload-pack", nil)
	req.SetBasicAuth(user, token)
	resp, err := run.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestMockOAuth1Grants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, grant, user, contextPath, want string
	}{
		{"2lo runs as execute-as", grant.OAuth1TwoLegged, "", "", "svc-ci"},
		{"impersonation", grant.OAuth1Impersonate, "alice", "", "alice"},
		{"3lo", grant.OAuth1, "", "", "alice"},
		{"2lo under another context path", grant.OAuth1TwoLegged, "", "/tools/bitbucket", "svc-ci"},
		{"3lo at the root", grant.OAuth1, "", "/", "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, env := mockEnv(t, mockserver.Options{ContextPath: tt.contextPath}, &gitconfig.Settings{Grant: tt.grant, User: tt.user})
			p := New()
			rec, err := p.Obtain(t.Context(), env, nil, false)
			if err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			if rec.GitUsername != tt.want || rec.MintedTokenUser != tt.want {
				t.Fatalf("user = %q, want %q", rec.GitUsername, tt.want)
			}
			if code := gitAuth(t, run, rec.GitUsername, rec.AccessToken); code != http.StatusOK {
				t.Errorf("git with the minted token: HTTP %d", code)
			}
			if d := rec.Expiry.Sub(run.Mock.Now()); d < 23*time.Hour || d > 25*time.Hour {
				t.Errorf("minted token lives %v, want 1 day", d)
			}
			acct, err := p.Account(t.Context(), env, rec)
			if err != nil || !strings.Contains(acct, "("+tt.want+")") {
				t.Errorf("Account = %q, %v", acct, err)
			}

			// Across the token's expiry (the helper's clock is the mock's):
			// a new token, the old one deleted, one live token left.
			first := rec.MintedTokenID
			for range 3 {
				run.Mock.Advance(25 * time.Hour)
				if gitAuth(t, run, rec.GitUsername, rec.AccessToken) == http.StatusOK {
					t.Errorf("expired token still accepted")
				}
				if rec, err = p.Obtain(t.Context(), env, rec, false); err != nil {
					t.Fatalf("Obtain after expiry: %v", err)
				}
			}
			if rec.MintedTokenID == first {
				t.Errorf("token not replaced")
			}
			if ids := liveTokens(t, run, rec.GitUsername, rec.AccessToken); len(ids) != 1 || ids[0] != rec.MintedTokenID {
				t.Errorf("tokens on the server = %v, want only %s", ids, rec.MintedTokenID)
			}
			if err := p.Revoke(t.Context(), env, rec); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if code := gitAuth(t, run, rec.GitUsername, rec.AccessToken); code == http.StatusOK {
				t.Errorf("revoked token still accepted")
			}
		})
	}
}

func TestMock3LORevokedAccessToken(t *testing.T) {
	t.Parallel()
	for _, interactive := range []bool{false, true} {
		t.Run(fmt.Sprintf("interactive=%v", interactive), func(t *testing.T) {
			t.Parallel()
			run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Grant: grant.OAuth1})
			p := New()
			rec, err := p.Obtain(t.Context(), env, nil, false)
			if err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			resp, err := run.HTTPClient().Post(run.ServerURL+"/../_mock/revoke", "application/json", strings.NewReader(`{"token":"`+rec.OAuth1Token+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("revoke: HTTP %d", resp.StatusCode)
			}
			env.Interactive = interactive
			rec.Expiry = time.Time{} // the minted token is due for replacement
			got, err := p.Obtain(t.Context(), env, rec, false)
			if !interactive {
				var pe *oauthProblemError
				if !errors.Is(err, auth.ErrInteractionRequired) || !errors.As(err, &pe) || !pe.TokenProblem() {
					t.Fatalf("Obtain error = %v, want a token problem and ErrInteractionRequired", err)
				}
				if got == nil || got.OAuth1Token != "" {
					t.Errorf("dead access token not dropped")
				}
				return
			}
			if err != nil {
				t.Fatalf("Obtain with re-consent: %v", err)
			}
			if got.OAuth1Token == rec.OAuth1Token || got.OAuth1Token == "" {
				t.Errorf("no new access token")
			}
		})
	}
}

func TestMockOAuthProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		s       gitconfig.Settings
		clock   bool // helper clock is the real one while the mock moved on
		wrong   bool // sign with another key
		problem string
		want    string
	}{
		{"stale timestamp", gitconfig.Settings{Grant: grant.OAuth1TwoLegged}, true, false, "timestamp_refused", "clock"},
		{"unknown consumer", gitconfig.Settings{Grant: grant.OAuth1TwoLegged, ConsumerKey: "no-such-link"}, false, false, "consumer_key_unknown", "no application link"},
		{"wrong key", gitconfig.Settings{Grant: grant.OAuth1TwoLegged}, false, true, "signature_invalid", "does not match"},
		{"2lo not allowed", gitconfig.Settings{Grant: grant.OAuth1TwoLegged, ConsumerKey: mockserver.Test3LOLinkConsumerKey}, false, false, "permission_denied", "does not allow 2-legged"},
		{"impersonation not allowed", gitconfig.Settings{Grant: grant.OAuth1Impersonate, User: "alice", ConsumerKey: mockserver.Test3LOLinkConsumerKey}, false, false, "permission_denied", "does not allow user impersonation"},
		{"3lo wrong key", gitconfig.Settings{Grant: grant.OAuth1}, false, true, "signature_invalid", "does not match"},
	}
	shared := mocktest.StartForTest(t, mockserver.Options{AutoApprove: true}) // its clock stays put
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.s
			if tt.wrong {
				s.PrivateKeyFile = writeKeyFile(t, pemPKCS1(otherKey()), 0o600)
				s.ConsumerKey = mockserver.TestLinkConsumerKey
			}
			var env *auth.Env
			if tt.clock {
				var run *mockserver.Running
				run, env = mockEnv(t, mockserver.Options{}, &s)
				run.Mock.Advance(time.Hour)
				env.Now = time.Now
			} else {
				env = envFor(t, shared, &s)
			}
			_, err := New().Obtain(t.Context(), env, nil, false)
			var pe *oauthProblemError
			if !errors.As(err, &pe) || pe.Problem != tt.problem {
				t.Fatalf("Obtain error = %v, want oauth_problem %s", err, tt.problem)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("message leaks key material")
			}
		})
	}
}

func TestMockDCOAuth2(t *testing.T) {
	t.Parallel()
	run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2,
		ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: "bbcred-dc-client-test-secret"})
	p := New()
	rec, err := p.Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	if rec.GitUsername != "alice" || rec.RefreshToken == "" {
		t.Fatalf("record: user %q, refresh token present %v", rec.GitUsername, rec.RefreshToken != "")
	}
	if code := gitAuth(t, run, rec.GitUsername, rec.AccessToken); code != http.StatusOK {
		t.Errorf("git with the DC OAuth 2 token as Basic password: HTTP %d", code)
	}

	// After the access token's hour: refresh, with rotation.
	run.Mock.Advance(61 * time.Minute)
	env.Interactive = false
	next, err := p.Obtain(t.Context(), env, rec, false)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if next.AccessToken == rec.AccessToken || next.RefreshToken == rec.RefreshToken {
		t.Errorf("refresh did not rotate the tokens")
	}
	if code := gitAuth(t, run, next.GitUsername, next.AccessToken); code != http.StatusOK {
		t.Errorf("git with the refreshed token: HTTP %d", code)
	}

	// The spent refresh token is dead: not interactive → interaction required.
	stale := *rec
	stale.Expiry = time.Time{}
	run.Mock.Advance(20 * time.Minute)
	got, err := p.Obtain(t.Context(), env, &stale, false)
	if !errors.Is(err, auth.ErrInteractionRequired) {
		t.Fatalf("Obtain with a spent refresh token = %v, want ErrInteractionRequired", err)
	}
	if got == nil || got.RefreshToken != "" {
		t.Errorf("spent refresh token not dropped")
	}
	if _, ok := any(got).(*tokenstore.Record); !ok {
		t.Errorf("no record returned")
	}
}

// TestMockNoSecretsInTraces runs every grant, including a failure, with
// traces captured, and looks for every secret involved.
func TestMockNoSecretsInTraces(t *testing.T) {
	t.Parallel()
	run := mocktest.StartForTest(t, mockserver.Options{AutoApprove: true})
	var mu sync.Mutex
	var out strings.Builder
	capture := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&out, format+"\n", args...)
	}
	var secrets []string
	for _, s := range []*gitconfig.Settings{
		{Grant: grant.OAuth1},
		{Grant: grant.OAuth1TwoLegged},
		{Grant: grant.OAuth1Impersonate, User: "bob"},
		{Kind: "datacenter", Grant: grant.OAuth2, ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: "bbcred-dc-client-test-secret"},
	} {
		env := envFor(t, run, s)
		env.Trace = capture
		p := New()
		rec, err := p.Obtain(t.Context(), env, nil, false)
		if err != nil {
			t.Fatalf("%s: %v", s.Grant, err)
		}
		rec.Expiry = time.Time{}
		rec2, err := p.Obtain(t.Context(), env, rec, false) // replace (or refresh)
		if err != nil {
			t.Fatalf("%s again: %v", s.Grant, err)
		}
		if err := p.Revoke(t.Context(), env, rec2); err != nil {
			t.Fatalf("%s revoke: %v", s.Grant, err)
		}
		secrets = append(secrets, rec.AccessToken, rec.RefreshToken, rec.OAuth1Token, rec.OAuth1TokenSecret,
			rec2.AccessToken, rec2.RefreshToken, s.ClientSecret)
		// A failure: the signature of another key.
		bad := *s
		bad.PrivateKeyFile = writeKeyFile(t, pemPKCS1(otherKey()), 0o600)
		env = envFor(t, run, &bad)
		env.Trace = capture
		if bad.Grant != grant.OAuth2 {
			_, err = p.Obtain(t.Context(), env, nil, false)
			capture("error: %v", err)
		}
	}
	key := mockserver.TestLinkPrivateKeyPEM()
	secrets = append(secrets, strings.Split(key, "\n")[1], strings.Split(string(pemPKCS1(otherKey())), "\n")[1])
	got := out.String()
	if !strings.Contains(got, "signature_invalid") {
		t.Errorf("the failure was not captured: %s", got)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(got, s) {
			t.Errorf("a secret (%d chars) appears in traces or errors", len(s))
		}
	}
}
