package mockserver

import (
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// newSweepMock is a mock for tests that fill and sweep the stores
// directly; era is the Cloud era ("" = the default, 2026).
func newSweepMock(t *testing.T, era string) *Mock {
	t.Helper()
	f := DefaultFixtures()
	f.Cloud.Era = era
	m, err := New(Options{ReposDir: t.TempDir(), Fixtures: f})
	if err != nil {
		t.Fatalf("new mock: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestCloudSweepEdges puts one entry in a Cloud store and sweeps at the
// instant before and the instant its window closes.
func TestCloudSweepEdges(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	grace := 10 * time.Minute   // mock-rotating's rotation_grace
	idle := 90 * 24 * time.Hour // era 2026 default refresh_idle
	tests := []struct {
		name  string
		era   string
		put   func(s *cloudState)
		edge  time.Time // first instant the entry is dropped
		count func(s *cloudState) int
	}{
		{
			name: "expired access token keeps its answer for a day",
			put: func(s *cloudState) {
				s.access["a"] = &accessToken{client: "mock-private", expires: t0, grant: s.newGrantLocked()}
			},
			edge:  t0.Add(core.ExpiredAnswerKept),
			count: func(s *cloudState) int { return len(s.access) },
		},
		{
			name: "era 2025: unused rotating refresh token lives its lifetime",
			era:  "2025",
			put: func(s *cloudState) {
				s.refresh["r"] = &refreshToken{client: "mock-rotating", expires: t0, grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.refresh) },
		},
		{
			name: "era 2025: spent refresh token lives its grace window",
			era:  "2025",
			put: func(s *cloudState) {
				s.refresh["r"] = &refreshToken{client: "mock-rotating", expires: t0.Add(90 * 24 * time.Hour), usedAt: t0, grant: s.newGrantLocked()}
			},
			edge:  t0.Add(grace),
			count: func(s *cloudState) int { return len(s.refresh) },
		},
		{
			name: "era 2026: unused refresh token lives until it dies of idleness",
			put: func(s *cloudState) {
				s.refresh["r"] = &refreshToken{client: "mock-private", lastUsed: t0.Add(-idle), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.refresh) },
		},
		{
			name: "era 2026: spent refresh token is filed by hash after its grace window",
			put: func(s *cloudState) {
				s.refresh["r"] = &refreshToken{client: "mock-private", usedAt: t0.Add(-grace), lastUsed: t0.Add(-grace), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.refresh) },
		},
		{
			name: "era 2026: swept spent refresh token lives until idleness would have killed it",
			put: func(s *cloudState) {
				s.spentRefreshLocked()[[32]byte{1}] = &refreshToken{client: "mock-private", usedAt: t0.Add(-idle), lastUsed: t0.Add(-idle), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.spent) },
		},
		{
			name: "unused code lives until it expires",
			put: func(s *cloudState) {
				s.codes["c"] = &authCode{client: "mock-private", expires: t0}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.codes) },
		},
		{
			name: "used code lives while its grant holds a token",
			era:  "2025",
			put: func(s *cloudState) {
				g := s.newGrantLocked()
				s.codes["c"] = &authCode{client: "mock-rotating", expires: t0.Add(-time.Hour), used: true, grant: g}
				s.refresh["r"] = &refreshToken{client: "mock-rotating", expires: t0, grant: g}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.codes) },
		},
		{
			name: "grant lives while a token refers to it",
			put: func(s *cloudState) {
				s.access["a"] = &accessToken{client: "mock-private", expires: t0.Add(-core.ExpiredAnswerKept), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *cloudState) int { return len(s.grants) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSweepMock(t, tt.era).cloud
			s.mu.Lock()
			tt.put(s)
			s.mu.Unlock()
			s.Sweep(tt.edge.Add(-time.Nanosecond))
			if n := tt.count(s); n != 1 {
				t.Fatalf("just before the edge: %d entries, want 1 kept", n)
			}
			s.Sweep(tt.edge)
			if n := tt.count(s); n != 0 {
				t.Fatalf("at the edge: %d entries, want 0", n)
			}
		})
	}
}

// TestCloudSweepKeepsWhatAnswersNeed: in era 2025 a non-rotating refresh
// token never expires and is never dropped; a used code whose grant is
// revoked goes.
func TestCloudSweepKeepsWhatAnswersNeed(t *testing.T) {
	t.Parallel()
	s := newSweepMock(t, "2025").cloud
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	s.mu.Lock()
	g := s.newGrantLocked()
	s.refresh["forever"] = &refreshToken{client: "mock-private", grant: g}
	revoked := s.newGrantLocked()
	revoked.revoked = true
	s.codes["replayed"] = &authCode{client: "mock-private", expires: far, used: true, grant: revoked}
	s.mu.Unlock()
	if kept := s.Sweep(far); kept != 2 { // the refresh token and its grant
		t.Errorf("sweep kept %d entries, want 2", kept)
	}
	if s.refresh["forever"] == nil || s.grants[g.id] == nil {
		t.Error("a refresh token without expiry (or its grant) was dropped")
	}
	if s.codes["replayed"] != nil || s.grants[revoked.id] != nil {
		t.Error("a used code of a revoked grant was kept")
	}
}

// TestServerSweepEdges is TestCloudSweepEdges for the Server/DC stores.
func TestServerSweepEdges(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		put   func(s *serverState)
		edge  time.Time
		count func(s *serverState) int
	}{
		{
			name:  "nonce lives while its timestamp is in the window",
			put:   func(s *serverState) { s.nonces["k&1&n"] = t0.Unix() },
			edge:  t0.Add(o1Window + time.Second), // lo = now-window, in whole seconds
			count: func(s *serverState) int { return len(s.nonces) },
		},
		{
			name:  "request token and verifier keep token_expired for a day",
			put:   func(s *serverState) { s.reqTokens["r"] = &o1RequestToken{token: "r", expires: t0, verifier: "v"} },
			edge:  t0.Add(core.ExpiredAnswerKept),
			count: func(s *serverState) int { return len(s.reqTokens) },
		},
		{
			name:  "DC code lives until it expires",
			put:   func(s *serverState) { s.dcCodes["c"] = &dcCode{expires: t0} },
			edge:  t0,
			count: func(s *serverState) int { return len(s.dcCodes) },
		},
		{
			name:  "DC access token keeps its answer for a day",
			put:   func(s *serverState) { s.dcAccess["a"] = &dcAccessToken{expires: t0} },
			edge:  t0.Add(core.ExpiredAnswerKept),
			count: func(s *serverState) int { return len(s.dcAccess) },
		},
		{
			name:  "DC refresh token lives until it expires",
			put:   func(s *serverState) { s.dcRefresh["r"] = &dcRefreshToken{expires: t0} },
			edge:  t0,
			count: func(s *serverState) int { return len(s.dcRefresh) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSweepMock(t, "").server
			s.mu.Lock()
			tt.put(s)
			s.mu.Unlock()
			s.Sweep(tt.edge.Add(-time.Nanosecond))
			if n := tt.count(s); n != 1 {
				t.Fatalf("just before the edge: %d entries, want 1 kept", n)
			}
			s.Sweep(tt.edge)
			if n := tt.count(s); n != 0 {
				t.Fatalf("at the edge: %d entries, want 0", n)
			}
		})
	}
}

// TestServerSweepKeepsHTTPAndOAuth1AccessTokens: personal tokens are
// listed expired or not (docs/bitbucket-behaviour.md#dc-access-tokens), and
// an OAuth 1 access token answers token_expired for ever, so the sweep never
// drops them.
func TestServerSweepKeepsHTTPAndOAuth1AccessTokens(t *testing.T) {
	t.Parallel()
	s := newSweepMock(t, "").server
	s.mu.Lock()
	s.httpTokens["v"] = &httpToken{id: "1", value: "v", user: "alice", expires: time.Unix(1, 0)}
	s.accTokens["a"] = &o1AccessToken{token: "a", expires: time.Unix(1, 0), sessionExpires: time.Unix(1, 0)}
	s.mu.Unlock()
	s.Sweep(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(s.httpTokens) != 1 || len(s.accTokens) != 1 {
		t.Fatalf("%d personal and %d OAuth 1 access tokens kept, want 1 and 1", len(s.httpTokens), len(s.accTokens))
	}
}
