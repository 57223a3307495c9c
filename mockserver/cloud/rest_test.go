package cloud_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// TestCloudREST covers /2.0/user and /2.0/repositories (docs/bitbucket-behaviour.md#cloud-using-tokens, docs/bitbucket-behaviour.md#cloud-401, docs/bitbucket-behaviour.md#cloud-user).
func TestCloudREST(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	expired := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	revoked := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/revoke", `{"token":"`+revoked+`"}`); r.Status != 200 {
		t.Fatalf("revoke: %d", r.Status)
	}
	base := run.CloudURL
	// Age `expired` past its 2 hours, then mint the tokens that must work.
	run.Mock.Advance(2*time.Hour + time.Minute)
	tok := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	jwtTok := mockhttp.Str(jwtRequest(t, run, connectJWT(t, jwt.SigningMethodHS256, mockhttp.AppSecret, jwtClaimsAt(run.Mock.Now())), nil).JSON(t), "access_token")

	tests := []struct {
		name       string
		url        string
		setup      func(*http.Request)
		wantStatus int
		wantWWW    string
		check      func(t *testing.T, r mockhttp.Response)
	}{
		{"user with bearer", base + "/2.0/user", bearer(&tok), 200, "", func(t *testing.T, r mockhttp.Response) {
			m := r.JSON(t)
			got := map[string]any{"type": m["type"], "username": m["username"], "uuid": m["uuid"], "account_id": m["account_id"], "display_name": m["display_name"]}
			want := map[string]any{"type": "user", "username": "alice", "uuid": "{5b0a6f0e-6f43-4d2b-9a51-0c3a2b1e7a01}", "account_id": "557058:5b0a6f0e-6f43-4d2b-9a51-0c3a2b1e7a01", "display_name": "Alice Example"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if r.Header.Get("X-OAuth-Scopes") != "repository, repository:write, account" || r.Header.Get("X-Accepted-OAuth-Scopes") != "account" {
				t.Errorf("scope headers %q / %q", r.Header.Get("X-OAuth-Scopes"), r.Header.Get("X-Accepted-OAuth-Scopes"))
			}
		}},
		{"user under /!api", base + "/!api/2.0/user", bearer(&tok), 200, "", nil},
		{"user with access_token query", base + "/2.0/user?access_token=" + tok, nil, 200, "", nil},
		{"user with Basic x-token-auth", base + "/2.0/user", basicAuth("x-token-auth", &tok), 200, "", nil},
		{"user with Basic owner", base + "/2.0/user", basicAuth("alice", &tok), 200, "", nil},
		{"user with Basic other user", base + "/2.0/user", basicAuth("bob", &tok), 401, `Basic realm="Bitbucket.org HTTP"`, loginFailed},
		{"user anonymous", base + "/2.0/user", nil, 401, `Basic realm="Bitbucket.org HTTP"`, loginFailed},
		{"user with bad password", base + "/2.0/user", basicAuth("alice", strPtr("wrong")), 401, `Basic realm="Bitbucket.org HTTP"`, loginFailed},
		{"user with expired token", base + "/2.0/user", bearer(&expired), 401, `OAuth realm="Bitbucket.org HTTP"`, errorMessage("Access token expired.")},
		{"user with revoked token", base + "/2.0/user", bearer(&revoked), 401, `OAuth realm="Bitbucket.org HTTP"`, errorMessage("Token is invalid, expired, or not supported for this endpoint.")},
		{"user with unknown token", base + "/2.0/user", bearer(strPtr("nope")), 401, `OAuth realm="Bitbucket.org HTTP"`, errorMessage("Token is invalid, expired, or not supported for this endpoint.")},
		{"user without account scope", base + "/2.0/user", bearer(&jwtTok), 403, "", errorMessage("Your credentials lack one or more required privilege scopes.")},
		{"workspace repos", base + "/2.0/repositories/acme", bearer(&tok), 200, "", repoList(1, 10, 2, "acme/public-repo", "acme/widgets")},
		{"workspace repos anonymous", base + "/2.0/repositories/acme", nil, 200, "", repoList(1, 10, 1, "acme/public-repo")},
		{"workspace repos page 2", base + "/2.0/repositories/acme?pagelen=1&page=2", bearer(&tok), 200, "", repoList(2, 1, 2, "acme/widgets")},
		{"workspace repos expired", base + "/2.0/repositories/acme", bearer(&expired), 401, `OAuth realm="Bitbucket.org HTTP"`, errorMessage("Access token expired.")},
		{"unknown workspace", base + "/2.0/repositories/nope", bearer(&tok), 404, "", nil},
		{"user's own workspace", base + "/2.0/repositories/alice", bearer(&tok), 200, "", repoList(1, 10, 1, "alice/notes")},
		{"private repo", base + "/2.0/repositories/acme/widgets", bearer(&tok), 200, "", func(t *testing.T, r mockhttp.Response) {
			m := r.JSON(t)
			if m["full_name"] != "acme/widgets" || m["is_private"] != true || m["type"] != "repository" || !strings.HasPrefix(mockhttp.Str(m, "uuid"), "{") {
				t.Errorf("repository %v", m)
			}
		}},
		{"private repo anonymous", base + "/2.0/repositories/acme/widgets", nil, 401, `Basic realm="Bitbucket.org HTTP"`, nil},
		{"public repo anonymous", base + "/2.0/repositories/acme/public-repo", nil, 200, "", nil},
		{"missing repo", base + "/2.0/repositories/acme/nope", bearer(&tok), 404, "", nil},
		{"unknown API", base + "/2.0/nothing", bearer(&tok), 404, "", errorMessage("Resource not found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := mockhttp.NewRequest(t, http.MethodGet, tt.url, nil)
			if tt.setup != nil {
				tt.setup(req)
			}
			r := mockhttp.Do(t, req)
			if r.Status != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", r.Status, tt.wantStatus, r.Body)
			}
			if got := r.Header.Get("WWW-Authenticate"); got != tt.wantWWW {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantWWW)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func strPtr(s string) *string { return &s }

func bearer(tok *string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+*tok) }
}

func basicAuth(user string, pw *string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, *pw) }
}

func loginFailed(t *testing.T, r mockhttp.Response) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.HasPrefix(string(r.Body), "Login failed due to incorrect login credentials or method.") {
		t.Errorf("want the plain-text login failure, got %q %q", r.Header.Get("Content-Type"), r.Body)
	}
}

func errorMessage(msg string) func(t *testing.T, r mockhttp.Response) {
	return func(t *testing.T, r mockhttp.Response) {
		t.Helper()
		m := r.JSON(t)
		e, _ := m["error"].(map[string]any)
		if m["type"] != "error" || e["message"] != msg {
			t.Errorf("body %s, want error message %q", r.Body, msg)
		}
	}
}

func repoList(page, pagelen, size int, names ...string) func(t *testing.T, r mockhttp.Response) {
	return func(t *testing.T, r mockhttp.Response) {
		t.Helper()
		m := r.JSON(t)
		var got []string
		vals, _ := m["values"].([]any)
		for _, v := range vals {
			got = append(got, mockhttp.Str(v.(map[string]any), "full_name"))
		}
		want := map[string]any{"page": float64(page), "pagelen": float64(pagelen), "size": float64(size), "names": names}
		if diff := cmp.Diff(want, map[string]any{"page": m["page"], "pagelen": m["pagelen"], "size": m["size"], "names": got}); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}
