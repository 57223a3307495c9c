package cloud

import (
	"strings"
	"time"
)

// Minting token values apart from storing them (issue 15): an era-2026
// access token is a JWT-shaped value of about 2,600 characters that takes
// tens of microseconds to build, so the grants that start a new grant mint
// before taking s.mu and hold it for the map work only.

// minted is the values of one issue, and the time they were minted at.
type minted struct {
	now     time.Time
	access  string
	refresh string // "" = no refresh token
}

// mint makes the token values for t; no lock needed.
func (s *State) mint(t accessToken, withRefresh, long bool) minted {
	now := s.m.Now()
	v := minted{now: now, access: newAccessTokenValue(long)}
	if s.modern() {
		v.access = newJWTShapedToken(t.client, t.user, t.scopes, now, now.Add(cloudAccessLifetime), long)
	}
	if withRefresh {
		v.refresh = s.mintRefresh(long)
	}
	return v
}

// mintRefresh is a refresh token value. Era 2026 refresh tokens are long
// too (docs/bitbucket-behaviour.md#cloud-refresh-rotation: "regularly over 2,500 characters"); opaque, as nothing
// says they are JWTs.
func (s *State) mintRefresh(long bool) string {
	return newRefreshTokenValue(long || s.modern())
}

// issueNewGrant starts a new authorization and issues t in it, minting
// before it takes s.mu.
func (s *State) issueNewGrant(t accessToken, withRefresh, long bool) cloudTokenResponse {
	v := s.mint(t, withRefresh, long)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeLocked(s.newGrantLocked(), t, v)
}

// storeLocked files the minted values of t in grant g and builds the
// answer. s.mu must be held.
func (s *State) storeLocked(g *grant, t accessToken, v minted) cloudTokenResponse {
	t.grant = g
	t.expires = v.now.Add(cloudAccessLifetime)
	s.access[v.access] = &t
	resp := cloudTokenResponse{
		AccessToken: v.access,
		ExpiresIn:   int(cloudAccessLifetime / time.Second),
		TokenType:   "bearer",
	}
	if s.modern() {
		resp.Scope = strings.Join(t.scopes, " ")
	} else {
		resp.Scopes, resp.State = strings.Join(t.scopes, " "), t.kind
	}
	if v.refresh != "" {
		resp.RefreshToken = s.storeRefreshLocked(g, t.client, t.user, t.scopes, v.refresh, v.now)
	}
	return resp
}

// storeRefreshLocked files refresh token value v in grant g. s.mu must be held.
func (s *State) storeRefreshLocked(g *grant, client, user string, scopes []string, v string, now time.Time) string {
	rt := &refreshToken{client: client, user: user, scopes: scopes, grant: g, issued: now, lastUsed: now}
	if c := s.consumers[client]; !s.modern() && c != nil && c.RefreshRotation == "rotate" {
		rt.expires = now.Add(cloudRotatedLifetime)
	}
	s.refresh[v] = rt
	return v
}
