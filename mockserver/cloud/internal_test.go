package cloud

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// newTestState is a Cloud side over its own core (no listener), for tests
// that fill and sweep the stores directly or serve it in-process; era is
// the Cloud era ("" = the default, 2026).
func newTestState(t *testing.T, era string, autoApprove bool) *State {
	t.Helper()
	c, err := core.New(core.Config{ReposDir: t.TempDir()})
	if err != nil {
		t.Fatalf("new core: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	f := DefaultFixtures()
	f.Era = era
	s, err := New(c, f, autoApprove)
	if err != nil {
		t.Fatalf("new cloud state: %v", err)
	}
	return s
}

func TestCloudSplitGitPath(t *testing.T) {
	t.Parallel()
	type parts struct {
		WS, Slug, Rest string
		OK             bool
	}
	tests := map[string]parts{
		"/acme/widgets.git/info/refs":       {"acme", "widgets", "/info/refs", true},
		"/acme/widgets.git/git-upload-pack": {"acme", "widgets", "/git-upload-pack", true},
		"/acme/widgets.git":                 {"acme", "widgets", "", true},
		"/acme/widgets":                     {},
		"/acme/widgets.git/../x.git/HEAD":   {},
		"/a/b/c.git/info/refs":              {},
		"/widgets.git/info/refs":            {},
		"//widgets.git/info/refs":           {},
	}
	for in, want := range tests {
		var got parts
		got.WS, got.Slug, got.Rest, got.OK = splitGitPath(in)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("splitGitPath(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestCloudHasScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		granted []string
		need    string
		want    bool
	}{
		{[]string{"repository"}, "repository", true},
		{[]string{"repository:write"}, "repository", true},
		{[]string{"repository"}, "repository:write", false},
		{[]string{"repository:admin"}, "repository", false}, // docs/bitbucket-behaviour.md#cloud-scopes
		{[]string{"repository:admin"}, "repository:write", false},
		{[]string{"pullrequest:write"}, "repository", true},
		{[]string{"account:write"}, "account", true},
		{nil, "account", false},
	}
	for _, tt := range tests {
		if got := hasScope(tt.granted, tt.need); got != tt.want {
			t.Errorf("hasScope(%v, %q) = %v, want %v", tt.granted, tt.need, got, tt.want)
		}
	}
}

func TestCloudQueryStringHash(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte("POST&/site/oauth2/access_token&"))
	if got := queryStringHash("POST", "/site/oauth2/access_token", nil); got != hex.EncodeToString(sum[:]) {
		t.Errorf("qsh without query = %s", got)
	}
	// Atlassian's canonical query: sorted keys, sorted values joined by
	// commas, %20 for spaces, jwt left out.
	sum = sha256.Sum256([]byte("GET&/x&a=1,2&b=c%20d"))
	q := url.Values{"b": {"c d"}, "a": {"2", "1"}, "jwt": {"zzz"}}
	if got := queryStringHash("get", "/x", q); got != hex.EncodeToString(sum[:]) {
		t.Errorf("qsh with query = %s", got)
	}
}
