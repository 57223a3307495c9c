package datacenter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// testProvider reads secret files without the permission check.
func testProvider() *Provider {
	return &Provider{ReadSecretFile: readFileOnly, ConsentTimeout: 10 * time.Second}
}

func settings2LO(t *testing.T, grant string) *gitconfig.Settings {
	return &gitconfig.Settings{Kind: "server", Grant: grant, ConsumerKey: testConsKey,
		PrivateKeyFile: writeKeyFile(t, pemPKCS1(testKey()), 0o600)}
}

// wantOAuth asserts the signature and the token / requestor of a request.
func wantOAuth(t *testing.T, r *http.Request, token, requestor string) {
	t.Helper()
	p := verifyOAuth(t, r, &testKey().PublicKey)
	got, ok := p["oauth_token"]
	if !ok {
		t.Errorf("%s %s: oauth_token absent (2LO needs it present and empty)", r.Method, r.URL.Path)
	}
	if got != token {
		t.Errorf("%s %s: oauth_token = %q, want %q", r.Method, r.URL.Path, got, token)
	}
	if p["oauth_consumer_key"] != testConsKey {
		t.Errorf("oauth_consumer_key = %q", p["oauth_consumer_key"])
	}
	if got := r.URL.Query().Get("xoauth_requestor_id"); got != requestor {
		t.Errorf("%s %s: xoauth_requestor_id = %q, want %q", r.Method, r.URL.Path, got, requestor)
	}
}

// appProps answers application-properties as user.
func appProps(t *testing.T, token, user string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		wantOAuth(t, r, token, "")
		w.Header().Set("X-AUSERNAME", user)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		io.WriteString(w, `{"version":"8.15.0","buildNumber":"8015000","displayName":"Bitbucket"}`)
	}
}

// createToken answers a token creation and counts them.
func createTokenHandler(t *testing.T, token, requestor string, n *atomic.Int32, wantPerms []string, wantDays int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		wantOAuth(t, r, token, requestor)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var body struct {
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
			ExpiryDays  int      `json:"expiryDays"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("body: %v", err)
		}
		if !strings.HasPrefix(body.Name, "git-credential-bitbucket 127.0.0.1:") {
			t.Errorf("name = %q", body.Name)
		}
		if diff := cmp.Diff(wantPerms, body.Permissions); diff != "" {
			t.Errorf("permissions (-want +got):\n%s", diff)
		}
		if body.ExpiryDays != wantDays {
			t.Errorf("expiryDays = %d, want %d", body.ExpiryDays, wantDays)
		}
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, `{"id":"10000000000%d","createdDate":%d,"name":%q,"token":"MINTED-SECRET-%d","permissions":["REPO_READ"]}`,
			i, time.Now().UnixMilli(), body.Name, i)
	}
}

func TestObtain2LOMintsAsExecuteAsUser(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	var n atomic.Int32
	f.handle("GET /rest/api/latest/application-properties", appProps(t, "", "svc-ci"))
	f.handle("PUT /rest/access-tokens/1.0/users/svc-ci", createTokenHandler(t, "", "", &n, []string{"REPO_READ", "PROJECT_READ"}, 3))
	s := settings2LO(t, grant.OAuth1TwoLegged)
	s.TokenPermissions = "repo_read, PROJECT_READ"
	s.TokenExpiryDays = 3
	env := f.env(s)
	before := time.Now()
	rec, err := testProvider().Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	got := tokenstore.Record{Kind: rec.Kind, Grant: rec.Grant, GitUsername: rec.GitUsername, AccessToken: rec.AccessToken,
		MintedTokenID: rec.MintedTokenID, MintedTokenUser: rec.MintedTokenUser, Account: rec.Account}
	want := tokenstore.Record{Kind: "server", Grant: grant.OAuth1TwoLegged, GitUsername: "svc-ci", AccessToken: "MINTED-SECRET-1",
		MintedTokenID: "100000000001", MintedTokenUser: "svc-ci", Account: "svc-ci"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if d := rec.Expiry.Sub(before); d < 72*time.Hour-time.Minute || d > 72*time.Hour+time.Minute {
		t.Errorf("expiry %v after start, want about 3 days (createdDate + expiryDays)", d)
	}
}

func TestObtainImpersonateSignsRequestor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user, gitUser, want string
	}{
		{"bitbucket.user wins", "alice", "bob", "alice"},
		{"no username sent", "alice", "", "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeDC(t, "/bitbucket")
			var n atomic.Int32
			f.handle("PUT /rest/access-tokens/1.0/users/"+tt.want, createTokenHandler(t, "", tt.want, &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
			s := settings2LO(t, grant.OAuth1Impersonate)
			s.User = tt.user
			env := f.env(s)
			env.Username = tt.gitUser
			rec, err := testProvider().Obtain(t.Context(), env, nil, false)
			if err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			if rec.GitUsername != tt.want || rec.MintedTokenUser != tt.want {
				t.Errorf("user = %q/%q, want %q", rec.GitUsername, rec.MintedTokenUser, tt.want)
			}
			if diff := cmp.Diff([]string{"PUT /rest/access-tokens/1.0/users/" + tt.want}, f.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("no user is a config error", func(t *testing.T) {
		t.Parallel()
		f := newFakeDC(t, "/bitbucket")
		_, err := testProvider().Obtain(t.Context(), f.env(settings2LO(t, grant.OAuth1Impersonate)), nil, false)
		var ce *auth.ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("Obtain error = %v, want ConfigError", err)
		}
	})
	// The username git sent never chooses (issue 10, point 2): without
	// bitbucket.user nothing is signed, whoever the URL names.
	t.Run("username git sent does not choose", func(t *testing.T) {
		t.Parallel()
		f := newFakeDC(t, "/bitbucket")
		env := f.env(settings2LO(t, grant.OAuth1Impersonate))
		env.Username = "bob"
		_, err := testProvider().Obtain(t.Context(), env, nil, false)
		var ce *auth.ConfigError
		if !errors.As(err, &ce) || len(f.Calls()) != 0 {
			t.Fatalf("Obtain error = %v, calls %v; want a ConfigError and no request", err, f.Calls())
		}
	})
}

// TestMintedTokenReuseAndReplacement: a fresh minted token is reused
// without a request; one inside the refresh margin is replaced and the
// old one deleted, so one helper token stays alive.
func TestMintedTokenReuseAndReplacement(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "")
	var n atomic.Int32
	var deleted []string
	f.handle("GET /rest/api/latest/application-properties", appProps(t, "", "svc-ci"))
	f.handle("PUT /rest/access-tokens/1.0/users/svc-ci", createTokenHandler(t, "", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
	f.handle("DELETE /rest/access-tokens/1.0/users/svc-ci/42", func(w http.ResponseWriter, r *http.Request) {
		wantOAuth(t, r, "", "")
		deleted = append(deleted, "42")
		w.WriteHeader(http.StatusNoContent)
	})
	s := settings2LO(t, grant.OAuth1TwoLegged)
	s.RefreshMargin = 10 * time.Minute
	env := f.env(s)
	p := testProvider()

	fresh := &tokenstore.Record{Kind: "server", Grant: grant.OAuth1TwoLegged, AccessToken: "OLD-SECRET", MintedTokenID: "42",
		MintedTokenUser: "svc-ci", GitUsername: "svc-ci", Expiry: time.Now().Add(11 * time.Minute)}
	got, err := p.Obtain(t.Context(), env, fresh, false)
	if err != nil || got != fresh {
		t.Fatalf("Obtain(fresh) = %v, %v; want the same record back", got, err)
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Fatalf("fresh token caused requests: %v", calls)
	}

	stale := *fresh
	stale.Expiry = time.Now().Add(9 * time.Minute)
	got, err = p.Obtain(t.Context(), env, &stale, false)
	if err != nil {
		t.Fatalf("Obtain(stale): %v", err)
	}
	if got.AccessToken != "MINTED-SECRET-1" || got.MintedTokenID != "100000000001" {
		t.Errorf("record not replaced: id %s", got.MintedTokenID)
	}
	want := []string{
		"GET /rest/api/latest/application-properties",
		"PUT /rest/access-tokens/1.0/users/svc-ci",
		"DELETE /rest/access-tokens/1.0/users/svc-ci/42",
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if stale.AccessToken != "OLD-SECRET" {
		t.Errorf("Obtain modified prev")
	}

	// login forces a new token even when the stored one is fresh.
	f.handle("DELETE /rest/access-tokens/1.0/users/svc-ci/100000000001", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	got2, err := p.Obtain(t.Context(), env, got, true)
	if err != nil {
		t.Fatal(err)
	}
	if got2.MintedTokenID == got.MintedTokenID {
		t.Errorf("login did not mint a new token")
	}
}

func TestDeleteFailureIsBestEffort(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	var n atomic.Int32
	f.handle("GET /rest/api/latest/application-properties", appProps(t, "", "svc-ci"))
	f.handle("PUT /rest/access-tokens/1.0/users/svc-ci", createTokenHandler(t, "", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
	f.handle("DELETE /rest/access-tokens/1.0/users/svc-ci/7", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"errors":[{"message":"boom"}]}`, http.StatusInternalServerError)
	})
	prev := &tokenstore.Record{Grant: grant.OAuth1TwoLegged, MintedTokenID: "7", MintedTokenUser: "svc-ci"}
	rec, err := testProvider().Obtain(t.Context(), f.env(settings2LO(t, grant.OAuth1TwoLegged)), prev, false)
	if err != nil || rec.AccessToken == "" {
		t.Fatalf("Obtain = %v, %v; a failed delete must not fail the get", rec, err)
	}
}

func TestRevokeDeletesMintedToken(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	f.handle("DELETE /rest/access-tokens/1.0/users/alice/99", func(w http.ResponseWriter, r *http.Request) {
		wantOAuth(t, r, "", "alice")
		w.WriteHeader(http.StatusNoContent)
	})
	s := settings2LO(t, grant.OAuth1Impersonate)
	s.User = "alice"
	rec := &tokenstore.Record{Grant: grant.OAuth1Impersonate, AccessToken: "T", MintedTokenID: "99", MintedTokenUser: "alice"}
	if err := testProvider().Revoke(t.Context(), f.env(s), rec); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if diff := cmp.Diff([]string{"DELETE /rest/access-tokens/1.0/users/alice/99"}, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	// Nothing minted, nothing to do.
	if err := testProvider().Revoke(t.Context(), f.env(s), &tokenstore.Record{Grant: grant.OAuth2}); err != nil {
		t.Errorf("Revoke(oauth2) = %v", err)
	}
}

// TestOAuthProblems maps every oauth_problem, given by WWW-Authenticate
// or by the body, to a typed error with an actionable message.
func TestOAuthProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		problem, grant string
		status         int
		inBody         bool
		want           string
		config         bool // only configuration can fix it: also an *auth.ConfigError
	}{
		{"timestamp_refused", grant.OAuth1TwoLegged, 400, false, "clock", true},
		{"signature_invalid", grant.OAuth1TwoLegged, 401, false, "does not match the public key of the application link", true},
		{"consumer_key_unknown", grant.OAuth1TwoLegged, 401, true, `no application link with consumer key "bbcred-test-link"`, true},
		{"permission_denied", grant.OAuth1TwoLegged, 401, false, "does not allow 2-legged OAuth", true},
		{"permission_denied", grant.OAuth1Impersonate, 401, false, "does not allow user impersonation", true},
		{"nonce_used", grant.OAuth1TwoLegged, 401, true, "try again", false},
		{"signature_method_rejected", grant.OAuth1TwoLegged, 400, false, "RSA-SHA1", true},
		{"consumer_key_refused", grant.OAuth1TwoLegged, 503, false, "disabled or refused", true},
		{"some_new_problem", grant.OAuth1TwoLegged, 403, true, "some advice", false},
	}
	for _, tt := range tests {
		t.Run(tt.problem+"/"+tt.grant, func(t *testing.T) {
			t.Parallel()
			f := newFakeDC(t, "/bitbucket")
			refuse := func(w http.ResponseWriter, r *http.Request) {
				if tt.inBody {
					w.Header().Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
					w.WriteHeader(tt.status)
					fmt.Fprintf(w, "oauth_problem=%s&oauth_problem_advice=some+advice", tt.problem)
					return
				}
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`OAuth realm="http%%3A%%2F%%2F127.0.0.1", oauth_problem="%s"`, tt.problem))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, `{"errors":[{"message":"nope"}]}`)
			}
			f.handle("GET /rest/api/latest/application-properties", refuse)
			f.handle("PUT /rest/access-tokens/1.0/users/alice", refuse)
			s := settings2LO(t, tt.grant)
			s.User = "alice"
			_, err := testProvider().Obtain(t.Context(), f.env(s), nil, false)
			var pe *oauthProblemError
			if !errors.As(err, &pe) {
				t.Fatalf("Obtain error = %v (%T), want *OAuthProblemError", err, err)
			}
			if pe.Problem != tt.problem || pe.Status != tt.status {
				t.Errorf("problem/status = %s/%d, want %s/%d", pe.Problem, pe.Status, tt.problem, tt.status)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message is not one line: %q", err)
			}
			if errors.Is(err, auth.ErrInteractionRequired) {
				t.Errorf("a 2-legged problem is not fixed by interaction")
			}
			var ce *auth.ConfigError
			if got := errors.As(err, &ce); got != tt.config {
				t.Errorf("errors.As(ConfigError) = %v, want %v", got, tt.config)
			} else if got && ce.Msg != pe.Error() {
				t.Errorf("ConfigError message %q, want the problem's", ce.Msg)
			}
		})
	}
}

func TestProblemFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		body   string
		want   url.Values
	}{
		{"header percent-encoded", `OAuth realm="http%3A%2F%2Flocalhost%3A7990", oauth_problem="signature_invalid", oauth_problem_advice="bad%20sig"`, "",
			url.Values{"realm": {"http://localhost:7990"}, "oauth_problem": {"signature_invalid"}, "oauth_problem_advice": {"bad sig"}}},
		{"body form", "", "oauth_problem=timestamp_refused&oauth_acceptable_timestamps=1-2",
			url.Values{"oauth_problem": {"timestamp_refused"}, "oauth_acceptable_timestamps": {"1-2"}}},
		{"realm only", `OAuth realm="x"`, `{"errors":[]}`, nil},
		{"basic challenge", `Basic realm="Atlassian Bitbucket"`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.header != "" {
				h.Set("WWW-Authenticate", tt.header)
			}
			if diff := cmp.Diff(tt.want, problemFrom(h, []byte(tt.body))); diff != "" {
				t.Errorf("problemFrom (-want +got):\n%s", diff)
			}
		})
	}
}
