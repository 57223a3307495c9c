package cloud

import (
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

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
		put   func(s *State)
		edge  time.Time // first instant the entry is dropped
		count func(s *State) int
	}{
		{
			name: "expired access token keeps its answer for a day",
			put: func(s *State) {
				s.access["a"] = &accessToken{client: "mock-private", expires: t0, grant: s.newGrantLocked()}
			},
			edge:  t0.Add(core.ExpiredAnswerKept),
			count: func(s *State) int { return len(s.access) },
		},
		{
			name: "era 2025: unused rotating refresh token lives its lifetime",
			era:  "2025",
			put: func(s *State) {
				s.refresh["r"] = &refreshToken{client: "mock-rotating", expires: t0, grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.refresh) },
		},
		{
			name: "era 2025: spent refresh token lives its grace window",
			era:  "2025",
			put: func(s *State) {
				s.refresh["r"] = &refreshToken{client: "mock-rotating", expires: t0.Add(90 * 24 * time.Hour), usedAt: t0, grant: s.newGrantLocked()}
			},
			edge:  t0.Add(grace),
			count: func(s *State) int { return len(s.refresh) },
		},
		{
			name: "era 2026: unused refresh token lives until it dies of idleness",
			put: func(s *State) {
				s.refresh["r"] = &refreshToken{client: "mock-private", lastUsed: t0.Add(-idle), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.refresh) },
		},
		{
			name: "era 2026: spent refresh token is filed by hash after its grace window",
			put: func(s *State) {
				s.refresh["r"] = &refreshToken{client: "mock-private", usedAt: t0.Add(-grace), lastUsed: t0.Add(-grace), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.refresh) },
		},
		{
			name: "era 2026: swept spent refresh token lives until idleness would have killed it",
			put: func(s *State) {
				s.spentRefreshLocked()[[32]byte{1}] = &refreshToken{client: "mock-private", usedAt: t0.Add(-idle), lastUsed: t0.Add(-idle), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.spent) },
		},
		{
			name: "unused code lives until it expires",
			put: func(s *State) {
				s.codes["c"] = &authCode{client: "mock-private", expires: t0}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.codes) },
		},
		{
			name: "used code lives while its grant holds a token",
			era:  "2025",
			put: func(s *State) {
				g := s.newGrantLocked()
				s.codes["c"] = &authCode{client: "mock-rotating", expires: t0.Add(-time.Hour), used: true, grant: g}
				s.refresh["r"] = &refreshToken{client: "mock-rotating", expires: t0, grant: g}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.codes) },
		},
		{
			name: "grant lives while a token refers to it",
			put: func(s *State) {
				s.access["a"] = &accessToken{client: "mock-private", expires: t0.Add(-core.ExpiredAnswerKept), grant: s.newGrantLocked()}
			},
			edge:  t0,
			count: func(s *State) int { return len(s.grants) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestState(t, tt.era, false)
			s.mu.Lock()
			tt.put(s)
			s.mu.Unlock()
			testsupport.SweepEdge(t, s.Sweep, func() int { return tt.count(s) }, tt.edge)
		})
	}
}

// TestCloudSweepKeepsWhatAnswersNeed: in era 2025 a non-rotating refresh
// token never expires and is never dropped; a used code whose grant is
// revoked goes.
func TestCloudSweepKeepsWhatAnswersNeed(t *testing.T) {
	t.Parallel()
	s := newTestState(t, "2025", false)
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
