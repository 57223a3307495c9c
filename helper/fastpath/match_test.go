package fastpath

import (
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

var now0 = time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)

func TestFindRecord(t *testing.T) {
	t.Parallel()
	rec := func(user, path, gitUser string, updated time.Duration) *tokenstore.Record {
		return &tokenstore.Record{Key: tokenstore.Key{Protocol: "https", Host: "h", Path: path, Username: user},
			GitUsername: gitUser, Updated: now0.Add(updated)}
	}
	recs := []*tokenstore.Record{
		rec("", "", "x-token-auth", 0),
		rec("alice", "", "alice", time.Minute),
		rec("", "ctx", "x-token-auth", -time.Hour),
	}
	tests := []struct {
		path, user string
		want       int // index in recs, -1 for none
	}{
		{"", "", 1},                // any user: the latest
		{"", "alice", 1},           // exact user
		{"", "x-token-auth", 0},    // the git username of a user-less record
		{"", "bob", -1},            // nobody else's
		{"ctx/scm/p/r.git", "", 2}, // the longest path prefix
		{"ctxother/r.git", "", 1},  // not a prefix on a / boundary
		{"ctx", "x-token-auth", 2}, // both
	}
	for _, tt := range tests {
		got := Find(recs, "https", "h", tt.path, tt.user)
		want := (*tokenstore.Record)(nil)
		if tt.want >= 0 {
			want = recs[tt.want]
		}
		if got != want {
			t.Errorf("Find(%q, %q) = %v, want record %d", tt.path, tt.user, got, tt.want)
		}
	}
}
