package datacenter

import (
	"context"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// createToken PUTs a token request for slug with basic credentials and
// returns status and decoded body.
func createToken(t *testing.T, base, slug, body string, auth func(*http.Request)) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("PUT", base+"/rest/access-tokens/1.0/users/"+slug, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	auth(req)
	status, h, out := testsupport.Do(t, nil, req)
	if h.Get("X-AREQUESTID") == "" {
		t.Error("no X-AREQUESTID")
	}
	return status, decodeJSON(t, out)
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func bearer(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

// getWith GETs path with auth and returns the status.
func getWith(t *testing.T, base, path string, auth func(*http.Request)) (int, http.Header, string) {
	t.Helper()
	req := testsupport.MustRequest(t, "GET", base+path)
	if auth != nil {
		auth(req)
	}
	return testsupport.Do(t, nil, req)
}

func TestHTTPAccessTokenCreate(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{}, nil)
	before := run.Mock.Now()
	status, tok := createToken(t, base, "alice", `{"name":"git","permissions":["REPO_WRITE","REPO_READ"],"expiryDays":1}`, basic("alice", "alice-test-password"))
	if status != 200 {
		t.Fatalf("create: %d %v", status, tok)
	}
	id, _ := tok["id"].(string)
	if !regexp.MustCompile(`^[0-9]{12}$`).MatchString(id) {
		t.Errorf("id = %q, want 12 digits", id)
	}
	value, _ := tok["token"].(string)
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(value) != 44 || !strings.HasPrefix(string(raw), id+":") || len(raw) != 13+20 {
		t.Errorf("token %d chars does not decode to id:20 bytes (%v)", len(value), err)
	}
	created := int64(tok["createdDate"].(float64))
	if created < before.UnixMilli()-1000 || created > before.UnixMilli()+60_000 {
		t.Errorf("createdDate = %d, not milliseconds near %d", created, before.UnixMilli())
	}
	if got := int64(tok["expiryDate"].(float64)); got != created+86_400_000 {
		t.Errorf("expiryDate = %d, want createdDate + 1 day", got)
	}
	if diff := cmp.Diff([]any{"REPO_READ", "REPO_WRITE"}, tok["permissions"]); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	if tok["name"] != "git" || tok["user"].(map[string]any)["slug"] != "alice" {
		t.Errorf("token = %v", tok)
	}

	// The token works as Basic password with its owner's name, and as Bearer.
	for name, auth := range map[string]func(*http.Request){"basic": basic("alice", value), "bearer": bearer(value)} {
		if status, h, body := getWith(t, base, "/rest/api/1.0/profile/recent/repos", auth); status != 200 || h.Get("X-AUSERNAME") != "alice" {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	if status, _, _ := getWith(t, base, "/rest/api/1.0/profile/recent/repos", basic("bob", value)); status != 401 {
		t.Errorf("another user's name with the token: %d", status)
	}
	// An HTTP access token cannot create tokens (docs/bitbucket-behaviour.md#dc-access-tokens).
	if status, body := createToken(t, base, "alice", `{"name":"x","permissions":["REPO_READ"]}`, bearer(value)); status != 401 {
		t.Errorf("token creating a token: %d %v", status, body)
	}

	// List (no values), delete, then the token is gone.
	status, h, body := getWith(t, base, "/rest/access-tokens/1.0/users/alice", basic("alice", "alice-test-password"))
	page := decodeJSON(t, body)
	if status != 200 || page["size"].(float64) != 1 || page["isLastPage"] != true || strings.Contains(body, value) || strings.Contains(body, `"token"`) {
		t.Errorf("list: %d %s %v", status, body, h)
	}
	del := testsupport.MustRequest(t, "DELETE", base+"/rest/access-tokens/1.0/users/alice/"+id)
	del.SetBasicAuth("alice", "alice-test-password")
	if status, _, body := testsupport.Do(t, nil, del); status != 204 {
		t.Errorf("delete: %d %s", status, body)
	}
	if status, _, _ := testsupport.Do(t, nil, del); status != 404 {
		t.Errorf("second delete: %d", status)
	}
	if status, _, _ := getWith(t, base, "/rest/api/1.0/profile/recent/repos", bearer(value)); status != 401 {
		t.Errorf("deleted token: %d", status)
	}
}

func TestHTTPAccessTokenRules(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{}, func(f *Fixtures) {
		f.Users = append(f.Users, User{Slug: "root", Name: "root", Password: "root-test-password", Admin: true})
	})
	alice := basic("alice", "alice-test-password")
	tests := []struct {
		name    string
		slug    string
		body    string
		auth    func(*http.Request)
		status  int
		context string // validation error's field
	}{
		{"no name", "alice", `{"permissions":["REPO_READ"]}`, alice, 400, "name"},
		{"no permissions", "alice", `{"name":"x","permissions":[]}`, alice, 400, "permissions"},
		{"unknown permission", "alice", `{"name":"x","permissions":["REPO_EVERYTHING"]}`, alice, 400, "permissions"},
		{"project above repository", "alice", `{"name":"x","permissions":["REPO_READ","PROJECT_WRITE"]}`, alice, 400, "permissions"},
		{"zero expiry", "alice", `{"name":"x","permissions":["REPO_READ"],"expiryDays":0}`, alice, 400, "expiryDays"},
		{"not json", "alice", `name=x`, alice, 400, ""},
		{"someone else's", "bob", `{"name":"x","permissions":["REPO_READ"]}`, alice, 401, ""},
		{"admin for someone else", "bob", `{"name":"x","permissions":["REPO_READ"]}`, basic("root", "root-test-password"), 200, ""},
		{"unknown user", "nobody", `{"name":"x","permissions":["REPO_READ"]}`, alice, 404, ""},
		{"anonymous", "alice", `{"name":"x","permissions":["REPO_READ"]}`, func(*http.Request) {}, 401, ""},
		{"wrong password", "alice", `{"name":"x","permissions":["REPO_READ"]}`, basic("alice", "nope"), 401, ""},
		{"no expiry", "alice", `{"name":"x","permissions":["PROJECT_READ","REPO_ADMIN"]}`, alice, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := createToken(t, base, tt.slug, tt.body, tt.auth)
			if status != tt.status {
				t.Fatalf("status = %d (%v), want %d", status, body, tt.status)
			}
			if status == 200 {
				return
			}
			errs, _ := body["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors envelope: %v", body)
			}
			e := errs[0].(map[string]any)
			if _, ok := e["message"].(string); !ok {
				t.Errorf("no message: %v", e)
			}
			if tt.context != "" && e["context"] != tt.context {
				t.Errorf("context = %v, want %s", e["context"], tt.context)
			}
		})
	}
}

// The acceptance path: a token created through an OAuth 1 signed REST call
// (3-legged and 2-legged), and a 1-day token refused after 49 hours.
func TestHTTPAccessTokenViaOAuth1AndExpiry(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	cfg := testsupport.O1Config(t, base, TestLinkConsumerKey, testLinkPrivateKeyPEM, "http://127.0.0.1:9/cb")
	at, _ := testsupport.Dance3LO(t, cfg)
	values := map[string]string{}
	for _, tc := range []struct{ token, slug string }{{at, "alice"}, {"", "svc-ci"}} {
		client := cfg.Client(context.Background(), oauth1.NewToken(tc.token, ""))
		req, _ := http.NewRequest("PUT", base+"/rest/access-tokens/1.0/users/"+tc.slug,
			strings.NewReader(`{"name":"bbcred","permissions":["REPO_READ","REPO_WRITE"],"expiryDays":1}`))
		req.Header.Set("Content-Type", "application/json")
		status, _, body := testsupport.Do(t, client, req)
		if status != 200 {
			t.Fatalf("signed create for %s: %d %s", tc.slug, status, body)
		}
		values[tc.slug] = decodeJSON(t, body)["token"].(string)
		if status, _, _ := getWith(t, base, "/rest/api/1.0/projects/PROJ/repos/widgets", basic(tc.slug, values[tc.slug])); status != 200 {
			t.Errorf("%s token: %d", tc.slug, status)
		}
	}
	run.Mock.Advance(49 * time.Hour)
	for slug, value := range values {
		if status, _, body := getWith(t, base, "/rest/api/1.0/projects/PROJ/repos/widgets", basic(slug, value)); status != 401 {
			t.Errorf("%s token after 49h: %d %s", slug, status, body)
		}
	}
	// 3-legged cannot create for another user (signed on the mock's clock,
	// now 49 hours ahead of the real one).
	req := o1Req{Token: &at, TS: run.Mock.Now()}.Build(t, "PUT", base+"/rest/access-tokens/1.0/users/bob")
	if status, _, body := testsupport.Do(t, nil, req); status != 401 {
		t.Errorf("alice's OAuth token for bob's tokens: %d %s", status, body)
	}
}

// revokeAll (POST /_mock/revoke {"all":true}) and Reset drop every issued
// Server/DC credential; fixture passwords keep working.
func TestServerRevokeAllAndReset(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	alice := "alice-test-password"
	for _, drop := range []func(){run.Mock.server.RevokeAll, run.Mock.Reset} {
		value := mintToken(t, base, "alice", alice, `{"name":"x","permissions":["REPO_READ"]}`)
		cfg := testsupport.O1Config(t, base, TestLinkConsumerKey, testLinkPrivateKeyPEM, "http://127.0.0.1:9/cb")
		at, _ := testsupport.Dance3LO(t, cfg)
		drop()
		if status, _, _ := getWith(t, base, "/rest/api/1.0/profile/recent/repos", bearer(value)); status != 401 {
			t.Errorf("HTTP access token after drop: %d", status)
		}
		if status, _, body := testsupport.SignedGet(t, cfg, at, base+"/rest/api/1.0/users/alice"); status != 401 || !strings.Contains(body, "token_rejected") {
			t.Errorf("OAuth 1 token after drop: %d %s", status, body)
		}
		if status, _, _ := getWith(t, base, "/rest/api/1.0/profile/recent/repos", basic("alice", alice)); status != 200 {
			t.Errorf("password after drop: %d", status)
		}
	}
}
