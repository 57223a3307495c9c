package cloud

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// fakeCloud is a Bitbucket Cloud token endpoint for unit tests: each test
// sets token, the handler for POST /site/oauth2/access_token, and may look
// at the recorded form bodies.
type fakeCloud struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	forms     []url.Values
	auths     []string
	token     func(w http.ResponseWriter, form url.Values, n int) // n: 0-based request number
	authorize func(w http.ResponseWriter, r *http.Request)
}

func newFakeCloud(t *testing.T) *fakeCloud {
	t.Helper()
	f := &fakeCloud{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /site/oauth2/access_token", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("token request Content-Type %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		f.mu.Lock()
		n := len(f.forms)
		f.forms = append(f.forms, r.PostForm)
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		fn := f.token
		f.mu.Unlock()
		if fn == nil {
			t.Errorf("unexpected token request %v", r.PostForm)
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		fn(w, r.PostForm, n)
	})
	mux.HandleFunc("GET /site/oauth2/authorize", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fn := f.authorize
		f.mu.Unlock()
		if fn == nil {
			t.Errorf("unexpected authorize request")
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		fn(w, r)
	})
	mux.HandleFunc("GET /2.0/user", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("access_token") {
			t.Errorf("access token in the query: REST takes Bearer only (docs/bitbucket-behaviour.md#cloud-2026)")
		}
		if r.Header.Get("Authorization") == "Bearer tok-app-user" {
			json.NewEncoder(w).Encode(map[string]any{"type": "app_user", "display_name": "mock-private"})
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok-account" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"username": "alice", "display_name": "Alice Example", "type": "user"})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCloud) requests() ([]url.Values, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...), append([]string(nil), f.auths...)
}

// env is an auth.Env for the fake with grant and extra settings.
func (f *fakeCloud) env(grant string, mod func(*gitconfig.Settings)) *auth.Env {
	u, _ := url.Parse(f.srv.URL)
	s := &gitconfig.Settings{
		Kind: "cloud", Grant: grant, ClientID: "consumer-key", ClientSecret: "consumer-secret-xyz",
		Timeout: 2 * time.Second, RefreshMargin: 5 * time.Minute,
	}
	if mod != nil {
		mod(s)
	}
	return &auth.Env{
		Settings: s, Remote: u, HTTP: f.srv.Client(), Now: func() time.Time { return testNow },
		Trace: func(format string, args ...any) { f.t.Logf("trace: "+format, args...) },
	}
}

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// tokenJSONBody writes a Bitbucket-shaped token response (docs/bitbucket-behaviour.md#cloud-2025-token-response).
func writeToken(w http.ResponseWriter, access, refresh, state string) {
	w.Header().Set("Content-Type", "application/json")
	body := map[string]any{"access_token": access, "scopes": "repository:write account", "expires_in": 7200,
		"token_type": "bearer", "state": state}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error": %q, "error_description": %q}`, code, desc)
}

// basicAuth is the Authorization header x/oauth2 sends with AuthStyleInHeader.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func containsAny(s string, secrets ...string) string {
	for _, x := range secrets {
		if x != "" && strings.Contains(s, x) {
			return x
		}
	}
	return ""
}
