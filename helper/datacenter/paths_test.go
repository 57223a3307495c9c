package datacenter

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// TestEndpointEscapesSegments: each segment is one path segment whatever
// it holds; nothing is cleaned away. Fails on the old code (url.JoinPath
// resolved ".." and kept "/").
func TestEndpointEscapesSegments(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://bb.example/bitbucket")
	tests := []struct {
		segs []string
		want string
	}{
		{[]string{"rest", "api", "1.0", "users", "alice"}, "https://bb.example/bitbucket/rest/api/1.0/users/alice"},
		{[]string{"users", "a/b"}, "https://bb.example/bitbucket/users/a%2Fb"},
		{[]string{"users", "a b?c#d"}, "https://bb.example/bitbucket/users/a%20b%3Fc%23d"},
		{[]string{"users", ".."}, "https://bb.example/bitbucket/users/.."},
		{[]string{"users", "%2e%2e"}, "https://bb.example/bitbucket/users/%252e%252e"},
	}
	for _, tt := range tests {
		if got := endpoint(base, tt.segs...).String(); got != tt.want {
			t.Errorf("endpoint(%q) = %s, want %s", tt.segs, got, tt.want)
		}
	}
}

// TestSlugsArePathSegments is the hostile-input table for user slugs.
func TestSlugsArePathSegments(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"alice", "svc-ci", "a.b", "jane_doe", "x@example.com", "..a", "%2e%2e"} {
		if err := checkSlug(ok); err != nil {
			t.Errorf("checkSlug(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "../admin", "a/b", `a\b`, "alice\n", "a\x1b[2J"} {
		err := checkSlug(bad)
		if err == nil {
			t.Errorf("checkSlug(%q) accepted", bad)
		} else if strings.ContainsAny(err.Error(), "\n\x1b") {
			t.Errorf("checkSlug(%q) error carries a control character: %q", bad, err)
		}
	}
}

// TestImpersonatedSlugNeverLeavesItsSegment: a user slug with dot
// segments or a slash (from bitbucket.user, or git's URL) gets no signed
// request at all; the old code sent a signed PUT to
// /rest/access-tokens/1.0/admin/... (the fake fails the test on any
// request it does not know).
func TestImpersonatedSlugNeverLeavesItsSegment(t *testing.T) {
	t.Parallel()
	for _, user := range []string{"../../api/1.0/admin/users", "alice/../bob", ".."} {
		t.Run(user, func(t *testing.T) {
			t.Parallel()
			p, f, env := setup2LO(grant.OAuth1Impersonate, user)(t)
			rec, err := p.Obtain(t.Context(), env, nil, false)
			if rec != nil || err == nil || !strings.Contains(err.Error(), "user slug") {
				t.Fatalf("Obtain = %v, %v; want a refused slug", rec != nil, err)
			}
			if calls := f.Calls(); len(calls) != 0 {
				t.Errorf("requests sent: %q", calls)
			}
		})
	}
}
