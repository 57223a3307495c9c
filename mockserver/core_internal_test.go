package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCoreLoopbackAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "127.0.0.1:0", false},
		{"127.0.0.1:8080", "127.0.0.1:8080", false},
		{"localhost:0", "127.0.0.1:0", false},
		{"[::1]:0", "[::1]:0", false},
		{"127.1.2.3:0", "127.1.2.3:0", false},
		{":0", "", true},
		{"0.0.0.0:0", "", true},
		{"10.0.0.1:80", "", true},
		{"bitbucket.org:443", "", true},
		{"127.0.0.1", "", true},
	}
	for _, tt := range tests {
		got, err := loopbackAddr(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("loopbackAddr(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCoreNormalizeContextPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "/": "", "bitbucket": "/bitbucket", "/bitbucket/": "/bitbucket", "/a/b": "/a/b"} {
		if got := normalizeContextPath(in); got != want {
			t.Errorf("normalizeContextPath(%q) = %q, want %q", in, got, want)
		}
	}
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

// TestFixtureRepositories: New creates the fixture repositories under
// the repository root.
func TestFixtureRepositories(t *testing.T) {
	t.Parallel()
	m, err := New(Options{ReposDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	for _, repo := range []string{"cloud/acme/widgets.git", "server/proj/widgets.git"} {
		if _, err := os.Stat(filepath.Join(m.ReposDir(), repo, "HEAD")); err != nil {
			t.Errorf("fixture repository missing: %v", err)
		}
	}
}
