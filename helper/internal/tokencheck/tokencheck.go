// Package tokencheck bounds and checks what a token endpoint answers
// before anything is stored or handed to git (issue 10 point 7): a token
// is untrusted input bound for git's line-based wire and for the store,
// which every later `get` reads.
package tokencheck

import (
	"fmt"
	"strings"
	"time"
)

// MaxLen bounds an access or refresh token. Bitbucket Cloud tokens are
// about 2,600 characters since 2026 (docs/bitbucket-behaviour.md#cloud-2026); DC tokens are 44 (docs/bitbucket-behaviour.md#dc-access-tokens).
const MaxLen = 16 << 10

// maxLife is the longest expires_in believed; defaultLife is what a
// missing, negative or longer one is treated as.
const (
	maxLife     = 365 * 24 * time.Hour
	defaultLife = time.Hour
)

// Token reports what is wrong with token v (what names it in the error,
// e.g. "access token"): empty, longer than MaxLen, or holding anything
// but visible ASCII (0x21-0x7e). The error never holds the token.
func Token(what, v string) error {
	if v == "" {
		return fmt.Errorf("no %s", what)
	}
	if len(v) > MaxLen {
		return fmt.Errorf("a %s of %d bytes (at most %d)", what, len(v), MaxLen)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return fmt.Errorf("a %s with a character outside visible ASCII (byte 0x%02x at %d)", what, v[i], i)
		}
	}
	return nil
}

// Optional is Token for a value the server may leave out (a refresh token).
func Optional(what, v string) error {
	if v == "" {
		return nil
	}
	return Token(what, v)
}

// Bearer reports whether an OAuth 2 token_type is bearer (RFC 6750 §4,
// case-insensitive per RFC 6749 §5.1). An empty type is refused as well:
// both products send "bearer" (docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#dc-oauth2).
func Bearer(tokenType string) error {
	if !strings.EqualFold(tokenType, "bearer") {
		return fmt.Errorf("token_type %q (want bearer)", clip(tokenType))
	}
	return nil
}

// Life is how long a token said to live expiresIn seconds is believed to:
// expiresIn itself when in (0, maxLife], else defaultLife with a reason
// for the trace ("" when expiresIn was used).
func Life(expiresIn int64) (time.Duration, string) {
	switch {
	case expiresIn == 0:
		return defaultLife, "no expires_in: assuming " + defaultLife.String()
	case expiresIn < 0:
		return defaultLife, fmt.Sprintf("negative expires_in %d: assuming %s", expiresIn, defaultLife)
	case expiresIn > int64(maxLife/time.Second):
		return defaultLife, fmt.Sprintf("expires_in %d is over a year: assuming %s", expiresIn, defaultLife)
	}
	return time.Duration(expiresIn) * time.Second, ""
}

// clip keeps a server-chosen string short and printable for an error.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}
