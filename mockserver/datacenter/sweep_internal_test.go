package datacenter

import (
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// TestServerSweepEdges is TestCloudSweepEdges for the Server/DC stores.
func TestServerSweepEdges(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		put   func(s *State)
		edge  time.Time
		count func(s *State) int
	}{
		{
			name:  "nonce lives while its timestamp is in the window",
			put:   func(s *State) { s.nonces["k&1&n"] = t0.Unix() },
			edge:  t0.Add(o1Window + time.Second), // lo = now-window, in whole seconds
			count: func(s *State) int { return len(s.nonces) },
		},
		{
			name:  "request token and verifier keep token_expired for a day",
			put:   func(s *State) { s.reqTokens["r"] = &o1RequestToken{token: "r", expires: t0, verifier: "v"} },
			edge:  t0.Add(core.ExpiredAnswerKept),
			count: func(s *State) int { return len(s.reqTokens) },
		},
		{
			name:  "DC code lives until it expires",
			put:   func(s *State) { s.dcCodes["c"] = &dcCode{expires: t0} },
			edge:  t0,
			count: func(s *State) int { return len(s.dcCodes) },
		},
		{
			name:  "DC access token keeps its answer for a day",
			put:   func(s *State) { s.dcAccess["a"] = &dcAccessToken{expires: t0} },
			edge:  t0.Add(core.ExpiredAnswerKept),
			count: func(s *State) int { return len(s.dcAccess) },
		},
		{
			name:  "DC refresh token lives until it expires",
			put:   func(s *State) { s.dcRefresh["r"] = &dcRefreshToken{expires: t0} },
			edge:  t0,
			count: func(s *State) int { return len(s.dcRefresh) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, s := newTestState(t, false)
			s.mu.Lock()
			tt.put(s)
			s.mu.Unlock()
			testsupport.SweepEdge(t, s.Sweep, func() int { return tt.count(s) }, tt.edge)
		})
	}
}

// TestServerSweepKeepsHTTPAndOAuth1AccessTokens: personal tokens are
// listed expired or not (docs/bitbucket-behaviour.md#dc-access-tokens), and
// an OAuth 1 access token answers token_expired for ever, so the sweep never
// drops them.
func TestServerSweepKeepsHTTPAndOAuth1AccessTokens(t *testing.T) {
	t.Parallel()
	_, s := newTestState(t, false)
	s.mu.Lock()
	s.httpTokens["v"] = &httpToken{id: "1", value: "v", user: "alice", expires: time.Unix(1, 0)}
	s.accTokens["a"] = &o1AccessToken{token: "a", expires: time.Unix(1, 0), sessionExpires: time.Unix(1, 0)}
	s.mu.Unlock()
	s.Sweep(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(s.httpTokens) != 1 || len(s.accTokens) != 1 {
		t.Fatalf("%d personal and %d OAuth 1 access tokens kept, want 1 and 1", len(s.httpTokens), len(s.accTokens))
	}
}
