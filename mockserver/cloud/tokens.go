package cloud

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Lifetimes on the Cloud side. Every one is measured with the mock's clock.
const (
	cloudAccessLifetime  = 2 * time.Hour       // expires_in 7200 (docs/bitbucket-behaviour.md#cloud-2025-token-response)
	cloudCodeLifetime    = 10 * time.Minute    // UNCONFIRMED: Cloud's code lifetime is not documented
	cloudRotatedLifetime = 90 * 24 * time.Hour // rotating refresh tokens live up to 3 months (docs/bitbucket-behaviour.md#cloud-refresh-rotation)
	cloudDefaultGrace    = 10 * time.Minute    // a used rotating refresh token keeps working this long (docs/bitbucket-behaviour.md#cloud-refresh-rotation)
)

// cloudTokenResponse is the token endpoint's JSON body. Era 2025 (
// docs/bitbucket-behaviour.md#cloud-2025-token-response): plural `scopes`, `state` = the grant type, lowercase `bearer`. Era
// 2026 (docs/bitbucket-behaviour.md#cloud-2026): singular `scope` instead of `scopes`; no `state`
// (UNCONFIRMED: docs/bitbucket-behaviour.md#cloud-2026 is silent on it; we drop it with the rest of the old shape).
type cloudTokenResponse struct {
	AccessToken  string `json:"access_token"`
	Scopes       string `json:"scopes,omitempty"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
	State        string `json:"state,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// tokenStatus is what a presented access token turned out to be.
type tokenStatus int

const (
	tokenValid tokenStatus = iota
	tokenUnknown
	tokenExpired
	tokenRevoked
)

// newGrantLocked starts a new authorization. s.mu must be held.
func (s *State) newGrantLocked() *grant {
	s.nextID++
	g := &grant{id: s.nextID}
	s.grants[g.id] = g
	return g
}

// issueLocked mints an access token (and a refresh token when withRefresh)
// for grant g. s.mu must be held; issueNewGrant (issue.go) mints
// without it.
func (s *State) issueLocked(g *grant, t accessToken, withRefresh, long bool) cloudTokenResponse {
	return s.storeLocked(g, t, s.mint(t, withRefresh, long))
}

// newRefreshLocked mints a refresh token in grant g. s.mu must be held.
func (s *State) newRefreshLocked(g *grant, client, user string, scopes []string, long bool) string {
	return s.storeRefreshLocked(g, client, user, scopes, s.mintRefresh(long), s.m.Now())
}

// lookupAccess checks a presented access token against the mock clock and
// returns a copy of it.
func (s *State) lookupAccess(v string) (accessToken, tokenStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.access[v]
	if !ok {
		t, ok = s.static[v]
	}
	switch {
	case !ok:
		return accessToken{}, tokenUnknown
	case t.grant.revoked:
		return *t, tokenRevoked
	case !s.m.Now().Before(t.expires):
		return *t, tokenExpired
	}
	return *t, tokenValid
}

// newAccessTokenValue is an opaque URL-safe token: about 120 characters like
// the observed ones (docs/bitbucket-behaviour.md#cloud-2025-token-response), or more than 2,500 for long_tokens
// consumers (docs/bitbucket-behaviour.md#cloud-refresh-rotation).
func newAccessTokenValue(long bool) string {
	if long {
		return randomURLSafe(1950) // 2,600 characters
	}
	return randomURLSafe(90) // 120 characters
}

// newRefreshTokenValue is 18 alphanumeric characters like the observed ones
// (docs/bitbucket-behaviour.md#cloud-2025-token-response), or a URL-safe token of more than 2,500 characters.
func newRefreshTokenValue(long bool) string {
	if long {
		return randomURLSafe(1950)
	}
	return randomAlnum(18)
}

func randomURLSafe(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, n)
	b := make([]byte, 1)
	for len(out) < n {
		rand.Read(b)
		if int(b[0]) >= 256/len(alphabet)*len(alphabet) { // reject to stay uniform
			continue
		}
		out = append(out, alphabet[int(b[0])%len(alphabet)])
	}
	return string(out)
}

// scopeImplies lists what each classic scope implies (docs/bitbucket-behaviour.md#cloud-scopes:
// repository:write implies repository; repository:admin implies neither).
// UNCONFIRMED beyond docs/bitbucket-behaviour.md#cloud-scopes: the pull request, account, team, issue, snippet,
// pipeline and project implications follow Bitbucket's consumer UI, which
// ticks the implied boxes.
var scopeImplies = map[string][]string{
	"repository:write":  {"repository"},
	"pullrequest":       {"repository"},
	"pullrequest:write": {"pullrequest", "repository:write"},
	"account:write":     {"account"},
	"team:write":        {"team"},
	"issue:write":       {"issue"},
	"snippet:write":     {"snippet"},
	"pipeline:write":    {"pipeline"},
	"project:admin":     {"project"},
	"runner:write":      {"runner"},
	"test:write":        {"test"},
}

// hasScope reports whether granted (with implications) covers need.
func hasScope(granted []string, need string) bool {
	seen := map[string]bool{}
	var walk func(s string) bool
	walk = func(s string) bool {
		if s == need {
			return true
		}
		if seen[s] {
			return false
		}
		seen[s] = true
		for _, i := range scopeImplies[s] {
			if walk(i) {
				return true
			}
		}
		return false
	}
	for _, g := range granted {
		if walk(g) {
			return true
		}
	}
	return false
}
