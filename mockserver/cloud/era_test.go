package cloud_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

const persKey, persSecret = "mock-personal", "mock-personal-secret-TEST-ONLY"

// deadRefresh is the answer to a dead refresh token since 2026 (docs/bitbucket-behaviour.md#cloud-2026).
var deadRefresh = map[string]any{"error": "unauthorized_client", "error_description": "Invalid OAuth client credentials"}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// isJWTShaped: three dot-separated base64url parts, 2,000 to 2,700 characters.
func isJWTShaped(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 || len(v) < 2000 || len(v) > 2700 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

// codeTokens runs the authorization-code grant for id (auto-approve).
func codeTokens(t *testing.T, run *mockserver.Running, id, secret string) map[string]any {
	t.Helper()
	r := mockhttp.TokenRequest(t, run, id, secret, url.Values{"grant_type": {"authorization_code"}, "code": {mockhttp.AuthCode(t, run, id, nil)}})
	if r.Status != http.StatusOK {
		t.Fatalf("code exchange: %d %s", r.Status, r.Body)
	}
	return r.JSON(t)
}

func refreshWith(t *testing.T, run *mockserver.Running, id, secret, rt string) mockhttp.Response {
	t.Helper()
	return mockhttp.TokenRequest(t, run, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

// TestCloud2026TokenShape: `scope` not `scopes`, no `state`, JWT-shaped
// access tokens; client credentials without a refresh token (docs/bitbucket-behaviour.md#cloud-2026).
func TestCloud2026TokenShape(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	cc := mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret)
	if diff := cmp.Diff([]string{"access_token", "expires_in", "scope", "token_type"}, sortedKeys(cc)); diff != "" {
		t.Errorf("client credentials keys (-want +got):\n%s", diff)
	}
	code := codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret)
	if diff := cmp.Diff([]string{"access_token", "expires_in", "refresh_token", "scope", "token_type"}, sortedKeys(code)); diff != "" {
		t.Errorf("authorization code keys (-want +got):\n%s", diff)
	}
	for name, m := range map[string]map[string]any{"client credentials": cc, "authorization code": code} {
		if mockhttp.Str(m, "scope") != "repository repository:write account" || mockhttp.Str(m, "token_type") != "bearer" || m["expires_in"] != float64(7200) {
			t.Errorf("%s: scope %q, token_type %q, expires_in %v", name, mockhttp.Str(m, "scope"), mockhttp.Str(m, "token_type"), m["expires_in"])
		}
		if !isJWTShaped(mockhttp.Str(m, "access_token")) {
			t.Errorf("%s: access token is not JWT-shaped (%d characters)", name, len(mockhttp.Str(m, "access_token")))
		}
	}
	long := mockhttp.ClientCredentials(t, run, mockhttp.LongKey, mockhttp.LongSecret)
	if at := mockhttp.Str(long, "access_token"); !isJWTShaped(at) || len(at) <= 2500 {
		t.Errorf("long_tokens consumer: %d characters, want a JWT shape over 2,500", len(at))
	}
}

// TestCloud2026AppUser: client credentials act as an app user of the
// consumer's workspace (docs/bitbucket-behaviour.md#cloud-2026); a personal workspace's consumer reaches
// only that workspace.
func TestCloud2026AppUser(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	acme := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	pers := mockhttp.Str(mockhttp.ClientCredentials(t, run, persKey, persSecret), "access_token")

	u := mockhttp.Get(t, run.CloudURL+"/2.0/user", acme)
	if m := u.JSON(t); u.Status != 200 || mockhttp.Str(m, "type") != "app_user" || m["username"] != nil || !strings.HasPrefix(mockhttp.Str(m, "uuid"), "{") {
		t.Errorf("/2.0/user for an app user: %d %v", u.Status, m)
	}
	for _, tt := range []struct {
		name, tok, path string
		want            int
	}{
		{"acme consumer, acme repository", acme, "/2.0/repositories/acme/widgets", 200},
		{"acme consumer, alice's repository", acme, "/2.0/repositories/alice/notes", 404},
		{"personal consumer, its workspace", pers, "/2.0/repositories/alice/notes", 200},
		{"personal consumer, acme repository", pers, "/2.0/repositories/acme/widgets", 404},
		{"personal consumer, acme public repository", pers, "/2.0/repositories/acme/public-repo", 200},
		{"personal consumer, git on acme", pers, "/acme/widgets.git/info/refs?service=git-upload-pack", 404},
		{"acme consumer, git", acme, "/acme/widgets.git/info/refs?service=git-upload-pack", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := mockhttp.NewRequest(t, http.MethodGet, run.CloudURL+tt.path, nil)
			if strings.Contains(tt.path, ".git/") {
				req.SetBasicAuth("x-token-auth", tt.tok)
			} else {
				req.Header.Set("Authorization", "Bearer "+tt.tok)
			}
			if r := mockhttp.Do(t, req); r.Status != tt.want {
				t.Errorf("status %d, want %d", r.Status, tt.want)
			}
		})
	}
	// The app user has no Bitbucket username: only x-token-auth goes with its token on git.
	req := mockhttp.NewRequest(t, http.MethodGet, run.CloudURL+"/acme/widgets.git/info/refs?service=git-upload-pack", nil)
	req.SetBasicAuth("alice", acme)
	if r := mockhttp.Do(t, req); r.Status != 401 {
		t.Errorf("git with the owner's username and an app-user token: %d, want 401", r.Status)
	}
}

// TestCloud2026BearerOnly: REST takes access tokens only in the Bearer
// header; git keeps x-token-auth (docs/bitbucket-behaviour.md#cloud-2026).
func TestCloud2026BearerOnly(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	tok := mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	user := run.CloudURL + "/2.0/user"
	basicReq := mockhttp.NewRequest(t, http.MethodGet, user, nil)
	basicReq.SetBasicAuth("x-token-auth", tok)
	formReq := mockhttp.NewRequest(t, http.MethodPost, user, strings.NewReader(url.Values{"access_token": {tok}}.Encode()))
	formReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	publicQuery := mockhttp.NewRequest(t, http.MethodGet, run.CloudURL+"/2.0/repositories/acme/public-repo?access_token="+url.QueryEscape(tok), nil)
	for _, tt := range []struct {
		name string
		req  *http.Request
		want int
	}{
		{"bearer", func() *http.Request {
			r := mockhttp.NewRequest(t, http.MethodGet, user, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}(), 200},
		{"query parameter", mockhttp.NewRequest(t, http.MethodGet, user+"?access_token="+url.QueryEscape(tok), nil), 401},
		{"query parameter on a public repository", publicQuery, 401},
		{"form body", formReq, 401},
		{"basic x-token-auth on REST", basicReq, 401},
	} {
		if r := mockhttp.Do(t, tt.req); r.Status != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, r.Status, tt.want)
		}
	}
	g := testsupport.NewGitRunner(t)
	for _, name := range []string{"x-token-auth", "alice"} {
		if out, err := g.Run(t.TempDir(), "ls-remote", withCreds(run.CloudURL, name, tok)+"/acme/widgets.git"); err != nil {
			t.Errorf("git ls-remote as %s with a %d-character JWT-shaped token: %v\n%s", name, len(tok), err, out)
		}
	}
}

// TestCloud2026Rotation: every consumer rotates; a used token works for the
// grace window, then is dead; its use locks the consumer's refreshes out
// for the lockout; a valid token refused then works afterwards (docs/bitbucket-behaviour.md#cloud-2026).
func TestCloud2026Rotation(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	rt0 := mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "refresh_token")
	r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt0)
	rt1 := mockhttp.Str(r.JSON(t), "refresh_token")
	if r.Status != 200 || rt1 == "" || rt1 == rt0 {
		t.Fatalf("refresh of a non-rotating-in-2025 consumer: %d, new token %v", r.Status, rt1 != rt0)
	}
	run.Mock.Advance(9 * time.Minute)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt0); r.Status != 200 {
		t.Fatalf("used token inside the grace window: %d %s", r.Status, r.Body)
	}
	run.Mock.Advance(time.Minute)
	r = refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt0)
	if diff := cmp.Diff(deadRefresh, r.JSON(t)); r.Status != 400 || diff != "" {
		t.Fatalf("used token after the grace window: %d (-want +got):\n%s", r.Status, diff)
	}
	// Lockout: rt1 is valid but refused the same way, and stays valid.
	r = refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt1)
	if diff := cmp.Diff(deadRefresh, r.JSON(t)); r.Status != 400 || diff != "" {
		t.Fatalf("valid token during the lockout: %d (-want +got):\n%s", r.Status, diff)
	}
	other := mockhttp.Str(codeTokens(t, run, mockhttp.RotKey, mockhttp.RotSecret), "refresh_token")
	if r := refreshWith(t, run, mockhttp.RotKey, mockhttp.RotSecret, other); r.Status != 200 {
		t.Errorf("another consumer during the lockout: %d", r.Status)
	}
	run.Mock.Advance(2*time.Minute - time.Second)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt1); r.Status != 400 {
		t.Errorf("valid token one second before the lockout ends: %d", r.Status)
	}
	run.Mock.Advance(time.Second)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt1); r.Status != 200 {
		t.Errorf("valid token after the lockout: %d %s", r.Status, r.Body)
	}
	// Unknown tokens get the same answer but lock nothing out.
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, "nope"); r.Status != 400 || mockhttp.Str(r.JSON(t), "error") != "unauthorized_client" {
		t.Errorf("unknown token: %d %s", r.Status, r.Body)
	}
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "refresh_token")); r.Status != 200 {
		t.Errorf("after an unknown token: %d, want no lockout", r.Status)
	}
}

// TestCloud2026IdleDeath: a refresh token unused for 90 days dies; one
// used in time lives on in its successor.
func TestCloud2026IdleDeath(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	idle := mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "refresh_token")
	kept := mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "refresh_token")
	run.Mock.Advance(60 * 24 * time.Hour)
	r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, kept)
	kept = mockhttp.Str(r.JSON(t), "refresh_token")
	run.Mock.Advance(30*24*time.Hour - time.Minute)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, idle); r.Status != 200 {
		t.Fatalf("refresh token unused for 90 days minus a minute: %d", r.Status)
	}
	idle2 := mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "refresh_token")
	run.Mock.Advance(90*24*time.Hour + time.Minute)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, idle2); r.Status != 400 || mockhttp.Str(r.JSON(t), "error") != "unauthorized_client" {
		t.Errorf("refresh token unused for 90 days: %d %s", r.Status, r.Body)
	}
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/cloud/refresh", `{"unlock":true}`)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, kept); r.Status != 400 {
		t.Errorf("the successor token is unused for 90 days as well: %d", r.Status)
	}
}

// TestCloud2026RefreshControl: /_mock/cloud/refresh reads and sets the
// grace window, the lockout and the idle lifetime; reset restores them.
func TestCloud2026RefreshControl(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, func(f *mockserver.CloudFixtures) { f.RefreshGrace = "5m" })
	policy := func() map[string]any {
		t.Helper()
		r := mockhttp.Get(t, run.CloudURL+"/_mock/cloud/refresh", "")
		if r.Status != 200 {
			t.Fatalf("GET /_mock/cloud/refresh: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		return map[string]any{"era": m["era"], "grace": m["grace"], "lockout": m["lockout"], "idle": m["idle"]}
	}
	if diff := cmp.Diff(map[string]any{"era": "2026", "grace": "5m0s", "lockout": "2m0s", "idle": "2160h0m0s"}, policy()); diff != "" {
		t.Errorf("fixture policy (-want +got):\n%s", diff)
	}
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/cloud/refresh", `{"grace":"1m","lockout":"0s","idle":"1h"}`); r.Status != 200 {
		t.Fatalf("set: %d %s", r.Status, r.Body)
	}
	if diff := cmp.Diff(map[string]any{"era": "2026", "grace": "1m0s", "lockout": "0s", "idle": "1h0m0s"}, policy()); diff != "" {
		t.Errorf("set policy (-want +got):\n%s", diff)
	}
	rt0 := mockhttp.Str(codeTokens(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "refresh_token")
	rt1 := mockhttp.Str(refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt0).JSON(t), "refresh_token")
	run.Mock.Advance(time.Minute)
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt0); r.Status != 400 {
		t.Errorf("used token after a 1m grace: %d", r.Status)
	}
	if r := refreshWith(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt1); r.Status != 200 {
		t.Errorf("valid token with no lockout: %d", r.Status)
	}
	// One token's clock: issued, used, dead at the end of its grace.
	info := mockhttp.ControlPost(t, run.CloudURL, "/_mock/cloud/refresh/token", `{"token":"`+rt0+`"}`)
	if m := info.JSON(t); info.Status != 200 || m["dead"] != true || mockhttp.Str(m, "used_at") == "" || mockhttp.Str(m, "client") != mockhttp.PrivKey {
		t.Errorf("token info of a spent token: %d %v", info.Status, m)
	}
	info = mockhttp.ControlPost(t, run.CloudURL, "/_mock/cloud/refresh/token", `{"token":"`+rt1+`"}`)
	if m := info.JSON(t); info.Status != 200 || m["dead"] != false || mockhttp.Str(m, "dead_at") == "" {
		t.Errorf("token info of a live token: %d %v", info.Status, m)
	}
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/cloud/refresh/token", `{"token":"nope"}`); r.Status != 404 {
		t.Errorf("token info of an unknown token: %d", r.Status)
	}
	for _, bad := range []string{`{"grace":"soon"}`, `{"lockout":"-1m"}`, `{"idle":"1h","extra":1}`} {
		if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/cloud/refresh", bad); r.Status != 400 {
			t.Errorf("%s: %d, want 400", bad, r.Status)
		}
	}
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/reset", `{}`)
	if diff := cmp.Diff(map[string]any{"era": "2026", "grace": "5m0s", "lockout": "2m0s", "idle": "2160h0m0s"}, policy()); diff != "" {
		t.Errorf("after reset (-want +got):\n%s", diff)
	}
	if r := mockhttp.Get(t, run.ServerURL[:strings.LastIndex(run.ServerURL, "/")]+"/_mock/cloud/refresh", ""); r.Status != 200 {
		t.Errorf("the Server listener serves the Cloud control too: %d", r.Status)
	}
}

// TestCloudEraFixture: a bad era is refused at start.
func TestCloudEraFixture(t *testing.T) {
	t.Parallel()
	f := mockserver.DefaultFixtures()
	f.Cloud.Era = "2024"
	if _, err := mockserver.New(mockserver.Options{Fixtures: f}); err == nil || !strings.Contains(err.Error(), "era") {
		t.Errorf("era 2024: %v", err)
	}
	f.Cloud.Era, f.Cloud.RefreshLockout = "", "2 minutes"
	if _, err := mockserver.New(mockserver.Options{Fixtures: f}); err == nil || !strings.Contains(err.Error(), "refresh_lockout") {
		t.Errorf("refresh_lockout 2 minutes: %v", err)
	}
}
