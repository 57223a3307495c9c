package cloud

import (
	"net/http"
	"time"
)

// refreshGrant2026 is the refresh grant since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-refresh-rotation):
//
//   - every consumer rotates: each use returns a new refresh token;
//   - a used refresh token keeps working for the grace window (policy.Grace,
//     default 10 minutes) after its first use, then it is dead;
//   - a refresh token unused for policy.Idle (default 90 days) is dead;
//   - a dead token is answered 400 unauthorized_client "Invalid OAuth client
//     credentials" (the probe of docs/bitbucket-behaviour.md#cloud-2026), and its use starts a lockout
//     (policy.Lockout, default 2 minutes) during which the consumer's valid
//     refresh tokens are refused the same way; they stay valid (unused) and
//     work again once it ends.
//
// Our choices (UNCONFIRMED, docs/bitbucket-behaviour.md#cloud-2026 is silent): an unknown, revoked or
// another consumer's refresh token gets the same answer but starts no
// lockout (Cloud cannot tie an unknown value to a consumer's grant); a
// dead token used during a lockout starts it again; only the refresh grant
// is locked, not authorization_code or client_credentials.
func (s *State) refreshGrant2026(w http.ResponseWriter, r *http.Request, c *Consumer) {
	v := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.m.Now()
	refuse := func() { tokenError(w, http.StatusBadRequest, errBadClient.Error, errBadClient.Description) }
	rt, ok := s.lookupRefreshLocked(v) // swept spent ones too: their use starts a lockout
	if !ok || rt.client != c.Key || rt.grant.revoked {
		refuse()
		return
	}
	if !now.Before(s.refreshDeadAtLocked(rt)) {
		s.locked[c.Key] = now.Add(s.policy.Lockout)
		refuse()
		return
	}
	if now.Before(s.locked[c.Key]) {
		refuse()
		return
	}
	resp := s.issueLocked(rt.grant, accessToken{client: c.Key, user: rt.user, scopes: rt.scopes, kind: "refresh_token"}, false, c.LongTokens)
	if rt.usedAt.IsZero() {
		rt.usedAt = now
	}
	rt.lastUsed = now
	resp.RefreshToken = s.newRefreshLocked(rt.grant, c.Key, rt.user, rt.scopes, c.LongTokens)
	s.sendTokens(w, r, resp, rt.user)
}

// refreshDeadAtLocked is when era-2026 refresh token rt dies: the end of its
// grace window once used, or policy.Idle after its last use, whichever is
// first. A store pruning dead tokens must keep at least their consumer key
// (a tombstone) until policy.Idle has passed, or their reuse would no longer
// start a lockout. s.mu must be held.
func (s *State) refreshDeadAtLocked(rt *refreshToken) time.Time {
	dead := rt.lastUsed.Add(s.policy.Idle)
	if !rt.usedAt.IsZero() {
		if g := rt.usedAt.Add(s.policy.Grace); g.Before(dead) {
			dead = g
		}
	}
	return dead
}
