package cloud

import (
	"crypto/sha256"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// sweep drops the Cloud side's codes, tokens and grants that no later
// answer needs (issue 15; internal/core/sweep.go says when it runs) and returns how many
// entries it kept. Kept, and why:
//   - an access token until core.ExpiredAnswerKept past its expiry (it answers
//     "Access token expired." rather than "Token is invalid", docs/bitbucket-behaviour.md#cloud-2025-refresh);
//   - era 2025: a refresh token until it is spent and past its consumer's
//     grace window (docs/bitbucket-behaviour.md#cloud-refresh-rotation), or past its lifetime: then it is answered
//     like an unknown one;
//   - era 2026: a refresh token spent and past the grace window still
//     starts a lockout when used (refresh.go), so its record stays,
//     filed under the SHA-256 of its value instead of the value (about
//     2,600 characters, docs/bitbucket-behaviour.md#cloud-refresh-rotation), until policy.Idle after its last use,
//     when it would have died of idleness anyway; an unused one goes when
//     it dies of idleness;
//   - an unused code until it expires; a used code while its grant is not
//     revoked and still holds a token, because replaying it revokes them
//     (RFC 6749 §4.1.2);
//   - a grant while a token or a kept code refers to it (revokeAll).
//
// One lock hold for the whole scan: a grant issued between two holds
// would otherwise look unreferenced.
func (s *State) Sweep(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := make(map[*grant]bool, len(s.grants))
	kept := core.SweepMap(s.access, func(t *accessToken) bool {
		if !now.Before(t.expires.Add(core.ExpiredAnswerKept)) {
			return true
		}
		live[t.grant] = true
		return false
	})
	for v, rt := range s.refresh {
		switch {
		case s.refreshGoneLocked(rt, now):
			delete(s.refresh, v)
		case s.modern() && s.refreshSpentLocked(rt, now):
			delete(s.refresh, v)
			s.spentRefreshLocked()[sha256.Sum256([]byte(v))] = rt
		}
	}
	kept += len(s.refresh)
	kept += core.SweepMap(s.spent, func(rt *refreshToken) bool { return s.refreshGoneLocked(rt, now) })
	for _, rt := range s.refresh {
		live[rt.grant] = true
	}
	for _, rt := range s.spent {
		live[rt.grant] = true
	}
	kept += core.SweepMap(s.codes, func(c *authCode) bool {
		if c.used {
			return c.grant == nil || c.grant.revoked || !live[c.grant]
		}
		return !now.Before(c.expires)
	})
	kept += core.SweepMap(s.grants, func(g *grant) bool { return !live[g] })
	return kept
}

// refreshGoneLocked reports whether no answer needs rt any more. s.mu must
// be held.
func (s *State) refreshGoneLocked(rt *refreshToken, now time.Time) bool {
	if s.modern() {
		return !now.Before(rt.lastUsed.Add(s.policy.Idle))
	}
	return s.refreshSpentLocked(rt, now) || (!rt.expires.IsZero() && !now.Before(rt.expires))
}

// refreshSpentLocked reports whether rt was used and its grace window has
// passed (the rules of refreshGrant2025 and refreshDeadAtLocked). s.mu must
// be held.
func (s *State) refreshSpentLocked(rt *refreshToken, now time.Time) bool {
	if rt.usedAt.IsZero() {
		return false
	}
	if s.modern() {
		return !now.Before(rt.usedAt.Add(s.policy.Grace))
	}
	c := s.consumers[rt.client]
	return c == nil || !now.Before(rt.usedAt.Add(rotationGrace(c)))
}

// spentRefreshLocked is the store of swept era-2026 refresh tokens, made on
// first use. s.mu must be held.
func (s *State) spentRefreshLocked() map[[sha256.Size]byte]*refreshToken {
	if s.spent == nil {
		s.spent = map[[sha256.Size]byte]*refreshToken{}
	}
	return s.spent
}

// lookupRefreshLocked finds a refresh token by value, swept spent ones
// included. s.mu must be held.
func (s *State) lookupRefreshLocked(v string) (*refreshToken, bool) {
	if rt, ok := s.refresh[v]; ok {
		return rt, true
	}
	rt, ok := s.spent[sha256.Sum256([]byte(v))]
	return rt, ok
}
