package main_test

import (
	"net/http"
	"net/url"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBinaryCloudEra2026 is the default era through the binary (docs/bitbucket-behaviour.md#cloud-2026):
// `scope`, no refresh token for client credentials, a JWT-shaped token,
// Bearer-only REST, and the refresh policy on /_mock/cloud/refresh.
func TestBinaryCloudEra2026(t *testing.T) {
	t.Parallel()
	cloud, _, stop := startBinary(t, buildMock(t), "--auto-approve")
	basic := func(r *http.Request) { r.SetBasicAuth("mock-private", "mock-private-secret-TEST-ONLY") }
	tok := call(t, "POST", cloud+"/site/oauth2/access_token", url.Values{"grant_type": {"client_credentials"}}, basic)
	var keys []string
	for k := range tok.body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if diff := cmp.Diff([]string{"access_token", "expires_in", "scope", "token_type"}, keys); tok.status != 200 || diff != "" {
		t.Fatalf("client credentials %d, keys (-want +got):\n%s", tok.status, diff)
	}
	at, _ := tok.body["access_token"].(string)
	if strings.Count(at, ".") != 2 || len(at) < 2000 || len(at) > 2700 {
		t.Errorf("access token is not JWT-shaped: %d characters, %d dots", len(at), strings.Count(at, "."))
	}
	if r := call(t, "GET", cloud+"/2.0/repositories/acme/widgets", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+at) }); r.status != 200 {
		t.Errorf("bearer: %d", r.status)
	}
	if r := call(t, "GET", cloud+"/2.0/repositories/acme/widgets?access_token="+url.QueryEscape(at), nil, nil); r.status != 401 {
		t.Errorf("query token: %d, want 401", r.status)
	}

	pol := call(t, "GET", cloud+"/_mock/cloud/refresh", nil, nil)
	want := map[string]any{"era": "2026", "grace": "10m0s", "lockout": "2m0s", "idle": "2160h0m0s"}
	got := map[string]any{"era": pol.body["era"], "grace": pol.body["grace"], "lockout": pol.body["lockout"], "idle": pol.body["idle"]}
	if diff := cmp.Diff(want, got); pol.status != 200 || diff != "" {
		t.Errorf("GET /_mock/cloud/refresh %d (-want +got):\n%s", pol.status, diff)
	}
	set := call(t, "POST", cloud+"/_mock/cloud/refresh", nil, func(r *http.Request) {
		r.Body = http.NoBody
	})
	if set.status != 400 {
		t.Errorf("POST without a body: %d, want 400", set.status)
	}
	if code := stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit code after SIGTERM = %d", code)
	}
}

// TestBinaryCloudEraFlag: a bad --cloud-era is a usage error (exit 2).
func TestBinaryCloudEraFlag(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(buildMock(t), "--cloud-era", "2024")
	if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 {
		t.Errorf("--cloud-era 2024: %v, want exit 2", err)
	}
}
