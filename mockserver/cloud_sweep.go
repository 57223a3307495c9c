package mockserver

import "time"

// sweep drops the Cloud side's codes, tokens and grants that no later
// answer needs (issue 15; sweep.go says when it runs) and returns how many
// entries it kept. Kept, and why:
//   - an access token until expiredAnswerKept past its expiry (it answers
//     "Access token expired." rather than "Token is invalid", facts A5);
//   - a refresh token until it is spent and past its consumer's grace
//     window (facts A5b), or unused past its lifetime: after that it is
//     answered like an unknown one;
//   - an unused code until it expires; a used code while its grant is not
//     revoked and still holds a token, because replaying it revokes them
//     (RFC 6749 §4.1.2);
//   - a grant while a token or a kept code refers to it (revokeAll).
//
// One lock hold for the whole scan: a grant issued between two holds
// would otherwise look unreferenced.
func (s *cloudState) sweep(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := make(map[*grant]bool, len(s.grants))
	kept := sweepMap(s.access, func(t *accessToken) bool {
		if !now.Before(t.expires.Add(expiredAnswerKept)) {
			return true
		}
		live[t.grant] = true
		return false
	})
	kept += sweepMap(s.refresh, func(rt *refreshToken) bool {
		if s.refreshDead(rt, now) {
			return true
		}
		live[rt.grant] = true
		return false
	})
	kept += sweepMap(s.codes, func(c *authCode) bool {
		if c.used {
			return c.grant == nil || c.grant.revoked || !live[c.grant]
		}
		return !now.Before(c.expires)
	})
	kept += sweepMap(s.grants, func(g *grant) bool { return !live[g] })
	return kept
}

// refreshDead reports whether rt is answered like an unknown token from
// now on: spent and past the grace window of its consumer's rotation, or
// past its lifetime (the rules of refreshGrant).
func (s *cloudState) refreshDead(rt *refreshToken, now time.Time) bool {
	if !rt.expires.IsZero() && !now.Before(rt.expires) {
		return true
	}
	if rt.firstUsed.IsZero() {
		return false
	}
	c := s.consumers[rt.client]
	return c == nil || !now.Before(rt.firstUsed.Add(rotationGrace(c)))
}
