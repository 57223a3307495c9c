package datacenter

import (
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// sweep drops the Server/DC side's credentials and nonces that no later
// answer needs (issue 15; internal/core/sweep.go says when it runs) and returns how many
// entries it kept. Kept, and why:
//   - an OAuth 1 nonce while its timestamp is inside the window: a replay
//     must be refused, and outside the window the timestamp is refused
//     before the nonce is looked at;
//   - an OAuth 1 request token (and its verifier) until core.ExpiredAnswerKept
//     past its expiry (token_expired rather than token_rejected);
//   - OAuth 1 access tokens always: they answer token_expired for ever
//     after five years (docs/bitbucket-behaviour.md#dc-oauth1-wire), and each needs a consented three-legged
//     dance, so they do not pile up under load;
//   - a DC OAuth 2 code or refresh token until it expires (an expired one is
//     answered like an unknown one), an access token until
//     core.ExpiredAnswerKept past its expiry ("has expired" rather than
//     "Authentication failed");
//   - personal HTTP access tokens always: the user lists and deletes them
//     (expired ones included, docs/bitbucket-behaviour.md#dc-access-tokens), and there are at most 100 a user.
//
// Each map is swept under its own hold of the lock.
func (s *State) Sweep(now time.Time) int {
	lo := now.Add(-o1Window).Unix() // the rule of checkTimestampAndNonce
	gone := func(t time.Time) bool { return !now.Before(t) }
	answered := func(t time.Time) bool { return gone(t.Add(core.ExpiredAnswerKept)) }
	kept := 0
	locked := func(f func() int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		kept += f()
	}
	locked(func() int { return core.SweepMap(s.nonces, func(ts int64) bool { return ts < lo }) })
	locked(func() int {
		return core.SweepMap(s.reqTokens, func(t *o1RequestToken) bool { return answered(t.expires) })
	})
	locked(func() int { return len(s.accTokens) })
	locked(func() int { return core.SweepMap(s.dcCodes, func(c *dcCode) bool { return gone(c.expires) }) })
	locked(func() int {
		return core.SweepMap(s.dcAccess, func(t *dcAccessToken) bool { return answered(t.expires) })
	})
	locked(func() int {
		return core.SweepMap(s.dcRefresh, func(t *dcRefreshToken) bool { return gone(t.expires) })
	})
	locked(func() int { return len(s.httpTokens) })
	return kept
}
