package cloud_test

import (
	"net/http"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// Static tokens of the default fixtures (TEST VALUES).
const (
	apiToken       = "ATATT3xMockApiTokenAliceTEST-ONLY-0001"
	repoToken      = "ATCTT3xMockRepoAccessTokenWidgetsTEST-ONLY-0002"
	projectToken   = "ATCTT3xMockProjectAccessTokenWidTEST-ONLY-0003"
	workspaceToken = "ATCTT3xMockWorkspaceAccessTokenAcmeTEST-ONLY-0004"
)

// TestStaticTokens checks who may use the fixtures' static tokens where
// (docs/bitbucket-behaviour.md#cloud-api-tokens, #cloud-access-tokens):
// API tokens on git with the username or x-bitbucket-api-token-auth, not
// the e-mail; on REST only with the e-mail; access tokens with x-token-auth
// on git and Bearer on REST, within what they were created for.
func TestStaticTokens(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	gitRefs := run.CloudURL + "/acme/widgets.git/info/refs?service=git-upload-pack"
	user := run.CloudURL + "/2.0/user"
	tests := []struct {
		name, url, user, pass, bearer string
		want                          int
	}{
		{"api token git fixed username", gitRefs, "x-bitbucket-api-token-auth", apiToken, "", 200},
		{"api token git bitbucket username", gitRefs, "alice", apiToken, "", 200},
		{"api token git email refused", gitRefs, "alice@example.com", apiToken, "", 401},
		{"api token git other user refused", gitRefs, "bob", apiToken, "", 401},
		{"api token rest email", user, "alice@example.com", apiToken, "", 200},
		{"api token rest username refused", user, "alice", apiToken, "", 401},
		{"api token rest fixed username refused", user, "x-bitbucket-api-token-auth", apiToken, "", 401},
		{"api token rest bearer refused", user, "", "", apiToken, 401},
		{"repo token git", gitRefs, "x-token-auth", repoToken, "", 200},
		{"repo token git other username refused", gitRefs, "widgets-token", repoToken, "", 401},
		{"repo token git other repo", run.CloudURL + "/alice/notes.git/info/refs?service=git-upload-pack", "x-token-auth", repoToken, "", 404},
		{"project token git", gitRefs, "x-token-auth", projectToken, "", 200},
		{"workspace token git", gitRefs, "x-token-auth", workspaceToken, "", 200},
		{"repo token rest bearer", run.CloudURL + "/2.0/repositories/acme/widgets", "", "", repoToken, 200},
		{"repo token rest bearer no account scope", user, "", "", repoToken, 403},
		{"repo token rest basic refused", run.CloudURL + "/2.0/repositories/acme/widgets", "x-token-auth", repoToken, "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := mockhttp.NewRequest(t, http.MethodGet, tc.url, nil)
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			} else {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			if got := mockhttp.Do(t, req).Status; got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}

// TestStaticTokensExpire: on the mock clock, a token with expires_in stops
// working for git and REST; a workspace token without one keeps working.
func TestStaticTokensExpire(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/clock", `{"advance":"721h"}`)
	gitRefs := run.CloudURL + "/acme/widgets.git/info/refs?service=git-upload-pack"
	for _, tc := range []struct {
		name, user, token string
		want              int
	}{
		{"api token", "x-bitbucket-api-token-auth", apiToken, 401},
		{"repo token", "x-token-auth", repoToken, 401},
		{"workspace token never expires", "x-token-auth", workspaceToken, 200},
	} {
		req := mockhttp.NewRequest(t, http.MethodGet, gitRefs, nil)
		req.SetBasicAuth(tc.user, tc.token)
		if got := mockhttp.Do(t, req).Status; got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	req := mockhttp.NewRequest(t, http.MethodGet, run.CloudURL+"/2.0/user", nil)
	req.SetBasicAuth("alice@example.com", apiToken)
	if r := mockhttp.Do(t, req); r.Status != 401 {
		t.Errorf("expired api token on REST: status %d, want 401", r.Status)
	}
}
