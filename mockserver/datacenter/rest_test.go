package datacenter

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestServerREST(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{}, nil)
	alice := basic("alice", "alice-test-password")
	bob := basic("bob", "bob-test-password")

	t.Run("user", func(t *testing.T) {
		t.Parallel()
		status, h, body := getWith(t, base, "/rest/api/1.0/users/alice", bob)
		if status != 200 || h.Get("Content-Type") != "application/json;charset=UTF-8" || h.Get("X-AUSERNAME") != "bob" {
			t.Fatalf("%d %v %s", status, h, body)
		}
		want := map[string]any{"name": "alice", "emailAddress": "alice@example.invalid", "displayName": "Alice",
			"active": true, "slug": "alice", "type": "NORMAL",
			"links": map[string]any{"self": []any{map[string]any{"href": base + "/users/alice"}}}}
		if diff := cmp.Diff(want, decodeJSON(t, body), cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "id" })); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		_, _, body = getWith(t, base, "/rest/api/latest/users/svc-ci", bob)
		if decodeJSON(t, body)["type"] != "SERVICE" {
			t.Errorf("svc-ci: %s", body)
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name, path string
			auth       func(*http.Request)
			status     int
			exception  string
			message    string
		}{
			{"unknown user", "/rest/api/1.0/users/nobody", alice, 404, "com.atlassian.bitbucket.user.NoSuchUserException", ""},
			{"bad password", "/rest/api/1.0/users/alice", basic("alice", "wrong"), 401, "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException",
				"Authentication failed. Please check your credentials and try again."},
			{"anonymous user", "/rest/api/1.0/users/alice", nil, 401, "com.atlassian.bitbucket.AuthorisationException", ""},
			{"unknown project", "/rest/api/1.0/projects/NOPE/repos/x", alice, 404, "com.atlassian.bitbucket.project.NoSuchProjectException", ""},
			{"unknown repo", "/rest/api/1.0/projects/PROJ/repos/x", alice, 404, "com.atlassian.bitbucket.repository.NoSuchRepositoryException", ""},
			{"private repo anonymously", "/rest/api/1.0/projects/PROJ/repos/widgets", nil, 401, "com.atlassian.bitbucket.AuthorisationException", ""},
			{"recent repos anonymously", "/rest/api/1.0/profile/recent/repos", nil, 401, "com.atlassian.bitbucket.AuthorisationException", ""},
			{"oauth2 client probe", "/rest/oauth2/1.0/client", nil, 401, "com.atlassian.bitbucket.AuthorisationException", ""},
		}
		for _, tt := range tests {
			status, h, body := getWith(t, base, tt.path, tt.auth)
			if status != tt.status || h.Get("X-AREQUESTID") == "" {
				t.Errorf("%s: %d (%s), want %d", tt.name, status, body, tt.status)
				continue
			}
			errs := decodeJSON(t, body)["errors"].([]any)
			e := errs[0].(map[string]any)
			if _, ok := e["context"]; !ok || e["exceptionName"] != tt.exception || (tt.message != "" && e["message"] != tt.message) {
				t.Errorf("%s: %s", tt.name, body)
			}
		}
	})
	t.Run("repository", func(t *testing.T) {
		t.Parallel()
		status, _, body := getWith(t, base, "/rest/api/1.0/projects/proj/repos/widgets", bob)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		rp := decodeJSON(t, body)
		clone := rp["links"].(map[string]any)["clone"].([]any)
		http0 := clone[0].(map[string]any)
		if http0["name"] != "http" || http0["href"] != base+"/scm/proj/widgets.git" {
			t.Errorf("clone links = %v", clone)
		}
		proj := rp["project"].(map[string]any)
		if rp["slug"] != "widgets" || rp["scmId"] != "git" || rp["state"] != "AVAILABLE" || proj["key"] != "PROJ" || rp["public"] != false {
			t.Errorf("repository = %s", body)
		}
		// Public projects are readable by every user.
		if status, _, _ := getWith(t, base, "/rest/api/1.0/projects/PUB/repos/open", bob); status != 200 {
			t.Errorf("public repo for bob: %d", status)
		}
	})
	t.Run("recent repos", func(t *testing.T) {
		t.Parallel()
		_, _, body := getWith(t, base, "/rest/api/1.0/profile/recent/repos", bob)
		page := decodeJSON(t, body)
		if page["size"].(float64) != 2 || page["isLastPage"] != true {
			t.Errorf("recent repos = %s", body)
		}
		_, _, body = getWith(t, base, "/rest/api/1.0/profile/recent/repos?limit=1", bob)
		page = decodeJSON(t, body)
		if page["size"].(float64) != 1 || page["isLastPage"] != false || page["nextPageStart"].(float64) != 1 {
			t.Errorf("page 1 = %s", body)
		}
		_, _, body = getWith(t, base, "/rest/api/1.0/profile/recent/repos?limit=1&start=1", bob)
		page = decodeJSON(t, body)
		if page["size"].(float64) != 1 || page["isLastPage"] != true || page["start"].(float64) != 1 {
			t.Errorf("page 2 = %s", body)
		}
	})
	t.Run("discovery", func(t *testing.T) {
		t.Parallel()
		status, h, body := getWith(t, base, "/rest/api/1.0/application-properties", nil)
		if status != 200 || h.Get("X-AUSERNAME") != "" || !strings.Contains(body, `"displayName":"Bitbucket"`) {
			t.Errorf("application-properties: %d %s", status, body)
		}
		status, _, body = getWith(t, base, "/rest/authconfig/1.0/login-options", nil)
		if status != 200 || !strings.Contains(body, `"LOGIN_FORM"`) {
			t.Errorf("login-options: %d %s", status, body)
		}
		status, h, _ = getWith(t, base, "/rest/nothing/here", nil)
		if status != 404 || h.Get("X-AREQUESTID") == "" {
			t.Errorf("unknown path: %d", status)
		}
	})
}

// DC's anonymous-access trap (docs/bitbucket-behaviour.md#dc-anonymous-access): with public access on, a bad
// Bearer token on a public resource is served as anonymous;
// profile/recent/repos still needs authentication.
func TestAnonymousAccessTrap(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, func(f *Fixtures) { f.AnonymousAccess = true })
	_, baseOff := startServer(t, testOptions{}, nil)
	expired := mintToken(t, base, "alice", "alice-test-password", `{"name":"short","permissions":["REPO_READ"],"expiryDays":1}`)
	run.Mock.Advance(25 * time.Hour)
	garbage := bearer("not-a-token")
	tests := []struct {
		name   string
		base   string
		path   string
		auth   func(*http.Request)
		status int
	}{
		{"invalid bearer on public repo", base, "/rest/api/1.0/projects/PUB/repos/open", garbage, 200},
		{"expired bearer on public repo", base, "/rest/api/1.0/projects/PUB/repos/open", bearer(expired), 200},
		{"invalid bearer on user list (GCM's check)", base, "/rest/api/1.0/users", garbage, 200},
		{"anonymous on public repo", base, "/rest/api/1.0/projects/PUB/repos/open", nil, 200},
		{"invalid bearer on private repo", base, "/rest/api/1.0/projects/PROJ/repos/widgets", garbage, 401},
		{"invalid bearer on recent repos", base, "/rest/api/1.0/profile/recent/repos", garbage, 401},
		{"expired bearer on recent repos", base, "/rest/api/1.0/profile/recent/repos", bearer(expired), 401},
		{"bad password on public repo", base, "/rest/api/1.0/projects/PUB/repos/open", basic("alice", "wrong"), 401},
		{"anonymous git fetch of public repo", base, "/scm/pub/open.git/info/refs?service=git-upload-pack", nil, 200},
		{"invalid bearer git fetch of public repo", base, "/scm/pub/open.git/info/refs?service=git-upload-pack", garbage, 200},
		{"anonymous git push to public repo", base, "/scm/pub/open.git/info/refs?service=git-receive-pack", nil, 401},
		{"access off: invalid bearer on public repo", baseOff, "/rest/api/1.0/projects/PUB/repos/open", garbage, 401},
		{"access off: anonymous on public repo", baseOff, "/rest/api/1.0/projects/PUB/repos/open", nil, 401},
		{"access off: anonymous git fetch", baseOff, "/scm/pub/open.git/info/refs?service=git-upload-pack", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, h, body := getWith(t, tt.base, tt.path, tt.auth)
			if status != tt.status {
				t.Fatalf("status = %d (%s), want %d", status, body, tt.status)
			}
			if h.Get("X-AUSERNAME") != "" {
				t.Errorf("X-AUSERNAME = %q on an anonymous answer", h.Get("X-AUSERNAME"))
			}
		})
	}
}
