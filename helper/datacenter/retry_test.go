package datacenter

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// statuses returns the statuses the mock logged for method on paths
// under prefix.
func statuses(run *mockserver.Running, method, prefix string) []int {
	var out []int
	for _, r := range run.Mock.Requests(prefix) {
		if r.Method == method {
			out = append(out, r.Status)
		}
	}
	return out
}

func TestRetryServerMinting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, grant, user, want string
	}{
		{"2lo", grant.OAuth1TwoLegged, "", "svc-ci"},
		{"impersonation", grant.OAuth1Impersonate, "alice", "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Grant: tt.grant, User: tt.user})
			cp := run.Mock.ContextPath()
			run.Mock.AddFault(mockserver.Fault{Path: cp + "/rest/access-tokens", Method: http.MethodPut,
				Status: http.StatusServiceUnavailable, Times: 2, RetryAfter: "1"})
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			start := time.Now()
			rec, err := New().Obtain(ctx, env, nil, false)
			if err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			if d := time.Since(start); d < 2*time.Second {
				t.Errorf("Obtain took %v: Retry-After not honoured", d)
			}
			if rec.GitUsername != tt.want {
				t.Errorf("user = %q, want %q", rec.GitUsername, tt.want)
			}
			got := statuses(run, http.MethodPut, cp+"/rest/access-tokens")
			if len(got) != 3 || got[0] != 503 || got[1] != 503 || got[2] != 200 {
				t.Errorf("PUT statuses = %v, want [503 503 200]", got)
			}
			if ids := liveTokens(t, run, rec.GitUsername, rec.AccessToken); len(ids) != 1 || ids[0] != rec.MintedTokenID {
				t.Errorf("tokens on the server = %v, want only %s", ids, rec.MintedTokenID)
			}
		})
	}
}

func TestRetryDCToken(t *testing.T) {
	t.Parallel()
	run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2,
		ClientID: mockserver.TestDCOAuth2ClientID, ClientSecret: "bbcred-dc-client-test-secret"})
	cp := run.Mock.ContextPath()
	for _, path := range []string{"/rest/oauth2/latest/token", "/rest/api/latest/application-properties"} {
		run.Mock.AddFault(mockserver.Fault{Path: cp + path, Status: http.StatusServiceUnavailable, Times: 2, RetryAfter: "1"})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	p := New()
	rec, err := p.Obtain(ctx, env, nil, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	if rec.GitUsername != "alice" {
		t.Errorf("user = %q", rec.GitUsername)
	}
	if got := statuses(run, http.MethodPost, cp+"/rest/oauth2/latest/token"); len(got) != 3 || got[2] != 200 {
		t.Errorf("token statuses = %v, want [503 503 200]", got)
	}

	// A refresh meeting 429s without Retry-After is not retried (no wait
	// to honour); with Retry-After it is.
	run.Mock.Advance(61 * time.Minute)
	env.Interactive = false
	run.Mock.AddFault(mockserver.Fault{Path: cp + "/rest/oauth2/latest/token", Status: http.StatusTooManyRequests, Times: 1, RetryAfter: "1"})
	if _, err := p.Obtain(ctx, env, rec, false); err != nil {
		t.Fatalf("refresh after a 429: %v", err)
	}
}

func TestRetryAfterPastDeadline(t *testing.T) {
	t.Parallel()
	run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Grant: grant.OAuth1TwoLegged})
	cp := run.Mock.ContextPath()
	run.Mock.AddFault(mockserver.Fault{Path: cp + "/rest/access-tokens", Method: http.MethodPut,
		Status: http.StatusServiceUnavailable, Times: 5, RetryAfter: "120"})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	rec, err := New().Obtain(ctx, env, nil, false)
	if err == nil {
		t.Fatalf("Obtain = %+v, want an error", rec)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Obtain took %v, want a quick failure", d)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "HTTP 503") {
		t.Errorf("error = %q, want one line naming HTTP 503", msg)
	}
	if got := statuses(run, http.MethodPut, cp+"/rest/access-tokens"); len(got) != 1 {
		t.Errorf("PUT statuses = %v, want one request", got)
	}
}

func TestRetryNotOnUnknownOutcome(t *testing.T) {
	t.Parallel()
	run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Grant: grant.OAuth1TwoLegged})
	cp := run.Mock.ContextPath()
	run.Mock.AddFault(mockserver.Fault{Path: cp + "/rest/access-tokens", Method: http.MethodPut, Hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if _, err := New().Obtain(ctx, env, nil, false); err == nil {
		t.Fatal("Obtain succeeded through a hanging PUT")
	}
	if got := statuses(run, http.MethodPut, cp+"/rest/access-tokens"); len(got) > 1 {
		t.Errorf("PUT sent %d times, want once", len(got))
	}
}

func TestUserNotFound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		opts        mockserver.Options
		s           gitconfig.Settings
		remotePath  string // replaces the remote's context path when set
		want, avoid string
	}{
		{"impersonating an unknown user", mockserver.Options{}, gitconfig.Settings{Grant: grant.OAuth1Impersonate, User: "alcie"}, "",
			`user "alcie"`, "base URL"},
		{"wrong context path", mockserver.Options{}, gitconfig.Settings{Grant: grant.OAuth1Impersonate, User: "alice"}, "/wrong",
			"the Bitbucket base URL", "not found on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.s
			_, env := mockEnv(t, tt.opts, &s)
			if tt.remotePath != "" {
				env.Remote.Path = tt.remotePath
			}
			_, err := New().Obtain(t.Context(), env, nil, false)
			if err == nil {
				t.Fatal("Obtain succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, tt.avoid) {
				t.Errorf("error = %q, want %q and not %q", msg, tt.want, tt.avoid)
			}
			var ce *auth.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a ConfigError", err)
			}
		})
	}
}

// TestNotFoundUserOrBase: a 404 on /users/{slug} names the user when
// Bitbucket says NoSuchUserException or the base URL answered earlier in
// the call; otherwise it names the base URL.
func TestNotFoundUserOrBase(t *testing.T) {
	t.Parallel()
	noSuchUser := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errors":[{"message":"User ghost does not exist.","exceptionName":"com.atlassian.bitbucket.user.NoSuchUserException"}]}`))
	}
	plain := func(w http.ResponseWriter, r *http.Request) { http.Error(w, "Not Found", http.StatusNotFound) }
	tests := []struct {
		name, grant, user string
		probe             bool
		put               http.HandlerFunc
		want              string
	}{
		{"impersonated user missing", grant.OAuth1Impersonate, "ghost", false, noSuchUser, `user "ghost" not found on http://127.0.0.1:`},
		{"plain 404 after the base URL answered", grant.OAuth1TwoLegged, "", true, plain, `user "ghost" not found on http://127.0.0.1:`},
		{"plain 404 without a probe", grant.OAuth1Impersonate, "ghost", false, plain, "the Bitbucket base URL (including its context path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeDC(t, "/bitbucket")
			if tt.probe {
				f.handle("GET /rest/api/latest/application-properties", appProps(t, "", "ghost"))
			}
			f.handle("PUT /rest/access-tokens/1.0/users/ghost", tt.put)
			s := settings2LO(t, tt.grant)
			s.User = tt.user
			_, err := testProvider().Obtain(t.Context(), f.env(s), nil, false)
			if err == nil {
				t.Fatal("Obtain succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if want := tt.grant == grant.OAuth1Impersonate && strings.Contains(tt.want, "user"); strings.HasSuffix(err.Error(), "check bitbucket.user") != want {
				t.Errorf("error = %q: mentions bitbucket.user %v, want %v", err, !want, want)
			}
			var ce *auth.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a ConfigError", err)
			}
		})
	}
}
