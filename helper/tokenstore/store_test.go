package tokenstore

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// newStore opens a store in a fresh directory that Open has to create.
func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state", appDirName))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bigToken returns an n-byte token-like string that differs per seed.
func bigToken(seed string, n int) string {
	var b strings.Builder
	b.Grow(n + len(seed))
	for b.Len() < n {
		b.WriteString(seed)
		b.WriteString("-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
	}
	return b.String()[:n]
}

func testRecord(user, token string) *Record {
	ts := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	return &Record{
		Key:          Key{Protocol: "https", Host: "bitbucket.org", Username: user},
		Kind:         "cloud",
		Grant:        "authorization-code",
		GitUsername:  "x-token-auth",
		AccessToken:  token,
		TokenType:    "bearer",
		Expiry:       ts.Add(2 * time.Hour),
		Scopes:       "repository repository:write",
		Account:      user,
		RefreshToken: "refresh-" + token,
		Updated:      ts,

		RefreshUsed:       ts.Add(-time.Hour),
		ClientFingerprint: "v1:c2FsdA:bWFj",
	}
}

// TestRefreshBookkeeping: the suspect state and the last refresh use
// survive the store, and a record without them writes no such keys.
func TestRefreshBookkeeping(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	suspect := testRecord("alice", "tok-a")
	suspect.RefreshRefused = suspect.Updated.Add(-time.Minute)
	plain := &Record{Key: Key{Protocol: "https", Host: "bitbucket.org", Username: "bob"}, Kind: "cloud", AccessToken: "tok-b", Updated: suspect.Updated}
	for _, r := range []*Record{suspect, plain} {
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Get(suspect.Key)
	if err != nil || !got.RefreshRefused.Equal(suspect.RefreshRefused) || !got.RefreshUsed.Equal(suspect.RefreshUsed) || got.ClientFingerprint != suspect.ClientFingerprint {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, `"tok-b"`) && (strings.Contains(line, "refresh_used") || strings.Contains(line, "refresh_refused")) {
			t.Errorf("a record without refresh bookkeeping writes it: %s", line)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t)

	if got, err := s.Get(Key{Protocol: "https", Host: "bitbucket.org"}); err != nil || got != nil {
		t.Fatalf("Get on empty store = %v, %v; want nil, nil", got, err)
	}
	if got, err := s.List(); err != nil || len(got) != 0 {
		t.Fatalf("List on empty store = %v, %v; want empty", got, err)
	}

	alice := testRecord("alice", "tok-alice")
	bob := testRecord("bob", "tok-bob")
	server := &Record{
		Key:               Key{Protocol: "https", Host: "bb.example.com:8443", Path: "bitbucket", Username: "carol"},
		Kind:              "server",
		Grant:             "oauth1",
		GitUsername:       "carol",
		AccessToken:       "minted",
		OAuth1Token:       "o1",
		OAuth1TokenSecret: "o1s",
		OAuth1Expiry:      time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC),
		MintedTokenID:     "123",
		MintedTokenUser:   "carol",
		Updated:           time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, r := range []*Record{server, bob, alice} {
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []*Record{alice, bob, server} {
		got, err := s.Get(want.Key)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get(%s) (-want +got):\n%s", want.Key, diff)
		}
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*Record{server, alice, bob}, list); diff != "" {
		t.Errorf("List, sorted by key (-want +got):\n%s", diff)
	}

	// Replace one record, delete another, delete an absent one.
	alice2 := testRecord("alice", "tok-alice-2")
	if err := s.Put(alice2); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(bob.Key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(Key{Protocol: "https", Host: "nowhere"}); err != nil {
		t.Fatal(err)
	}
	list, err = s.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*Record{server, alice2}, list); diff != "" {
		t.Errorf("List after replace and delete (-want +got):\n%s", diff)
	}
}

func TestGetMatchesAllKeyFields(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	stored := Key{Protocol: "https", Host: "bb.example.com:7990", Path: "bitbucket", Username: "alice"}
	if err := s.Put(&Record{Key: stored, AccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  Key
		want bool
	}{
		{"exact", stored, true},
		{"other protocol", Key{"http", "bb.example.com:7990", "bitbucket", "alice"}, false},
		{"no port", Key{"https", "bb.example.com", "bitbucket", "alice"}, false},
		{"no path", Key{"https", "bb.example.com:7990", "", "alice"}, false},
		{"longer path", Key{"https", "bb.example.com:7990", "bitbucket/scm", "alice"}, false},
		{"no username", Key{"https", "bb.example.com:7990", "bitbucket", ""}, false},
		{"other username", Key{"https", "bb.example.com:7990", "bitbucket", "bob"}, false},
		{"case differs", Key{"https", "BB.example.com:7990", "bitbucket", "alice"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Get(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != tt.want {
				t.Errorf("Get(%s) found = %v, want %v", tt.key, got != nil, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	put := func(path, user string, updated time.Time) {
		t.Helper()
		r := &Record{Key: Key{Protocol: "https", Host: "bitbucket.org", Path: path, Username: user}, AccessToken: "t", Updated: updated}
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	put("", "alice", t0)
	put("", "bob", t0.Add(time.Hour)) // newest for the empty path
	put("", "carl", t0.Add(-time.Hour))
	put("acme", "zed", t0)
	if err := s.Put(&Record{Key: Key{Protocol: "https", Host: "bitbucket.org", Path: "acme", Username: "zed"}, GitUsername: "x-token-auth", AccessToken: "t", Updated: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(&Record{Key: Key{Protocol: "https", Host: "bitbucket.org", Path: "imp", Username: "eve"}, Grant: "oauth1-impersonate", AccessToken: "t", Updated: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	put("acme", "amy", t0) // same Updated as zed: smallest username wins
	put("tie", "", t0)

	tests := []struct {
		name, path, user string
		want             string // username of the record found, "-" for none
	}{
		{"any user picks newest", "", "", "bob"},
		{"exact user", "", "alice", "alice"},
		{"exact user absent", "", "dora", "-"},
		{"tie on Updated", "acme", "", "amy"},
		{"exact user under path", "acme", "zed", "zed"},
		{"record without username", "tie", "", ""},
		{"a root record serves any path", "other", "", "bob"},
		{"git username", "acme", "x-token-auth", "zed"},
		{"impersonation record needs its user", "imp", "", "bob"},
		{"impersonation record for its user", "imp", "eve", "eve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := s.Find("https", "bitbucket.org", tt.path, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			got := "-"
			if r != nil {
				got = r.Key.Username
			}
			if got != tt.want {
				t.Errorf("Find(%q, %q) found user %q, want %q", tt.path, tt.user, got, tt.want)
			}
		})
	}
}

func TestBigTokens(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const size = 64 << 10
	var want []*Record
	for _, user := range []string{"a", "b", "c"} {
		r := testRecord(user, bigToken(user, size))
		r.RefreshToken = bigToken("r"+user, size)
		want = append(want, r)
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if len(got[0].AccessToken) != size {
		t.Errorf("access token length = %d, want %d", len(got[0].AccessToken), size)
	}
}

func TestPutStampsUpdated(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	now := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	r := &Record{Key: Key{Protocol: "https", Host: "bitbucket.org"}, AccessToken: "t"}
	if err := s.Put(r); err != nil {
		t.Fatal(err)
	}
	if !r.Updated.IsZero() {
		t.Errorf("Put modified its argument: Updated = %v", r.Updated)
	}
	got, err := s.Get(r.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Updated.Equal(now) {
		t.Errorf("stored Updated = %v, want %v", got.Updated, now)
	}
}

func TestPutRejectsBadRecords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rec  *Record
	}{
		{"nil", nil},
		{"no protocol", &Record{Key: Key{Host: "bitbucket.org"}}},
		{"no host", &Record{Key: Key{Protocol: "https"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			if err := s.Put(tt.rec); err == nil {
				t.Fatal("Put succeeded, want an error")
			}
			if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("store file after a refused Put: %v, want it absent", err)
			}
		})
	}
}

func TestKeyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  Key
		want string
	}{
		{Key{Protocol: "https", Host: "bitbucket.org"}, "https://bitbucket.org"},
		{Key{Protocol: "https", Host: "bitbucket.org", Username: "alice"}, "https://alice@bitbucket.org"},
		{Key{Protocol: "http", Host: "127.0.0.1:7990", Path: "bitbucket", Username: "a@b"}, "http://a%40b@127.0.0.1:7990/bitbucket"},
	}
	for _, tt := range tests {
		if got := tt.key.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestFileFormat(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, u := range []string{"b", "a"} {
		if err := s.Put(testRecord(u, "tok-"+u)); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Version int
		Records []map[string]any
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("store file is not JSON: %v", err)
	}
	var tokens []any
	for _, r := range file.Records {
		tokens = append(tokens, r["access_token"])
	}
	if diff := cmp.Diff([]any{"tok-a", "tok-b"}, tokens); file.Version != 1 || diff != "" {
		t.Errorf("version %d, access tokens (-want +got):\n%s", file.Version, diff)
	}
	if got := strings.Count(string(data), "\n"); got != 4 {
		t.Errorf("store file has %d lines, want 4 (one per record):\n%s", got, data)
	}

	// An empty store is still a well-formed file.
	for _, u := range []string{"a", "b"} {
		if err := s.Delete(testRecord(u, "").Key); err != nil {
			t.Fatal(err)
		}
	}
	data, err = os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"version\":1,\"records\":[\n]}\n"; string(data) != want {
		t.Errorf("empty store file = %q, want %q", data, want)
	}
}
