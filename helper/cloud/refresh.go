package cloud

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Refresh-token policy for Cloud since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-refresh-rotation).
const (
	// DefaultRefreshCooldown is how long a refresh token Bitbucket refused
	// is left alone before it is tried again. A refusal may be a short
	// lockout of the consumer's valid tokens (docs/bitbucket-behaviour.md#cloud-2026), so the token is
	// kept; the cool-down outlasts the lockout and keeps a dead token
	// from hammering Bitbucket.
	DefaultRefreshCooldown = 5 * time.Minute
	// keepAliveAfter is how long a refresh token may go unused before a
	// get spends it although the access token is still valid: Cloud kills
	// refresh tokens unused for 3 months (docs/bitbucket-behaviour.md#cloud-2026).
	keepAliveAfter = fastpath.KeepAliveAfter
)

// RefreshRefusedError is Bitbucket refusing the stored refresh token
// (unauthorized_client, invalid_grant or invalid_request on a refresh),
// or the refused token still cooling down. It is errors.Is
// auth.ErrRefreshRefused and auth.ErrInteractionRequired: only a new
// consent helps, and the client secret is not to blame unless it changed
// since the login (ClientChanged).
type RefreshRefusedError struct {
	Refused       time.Time // when Bitbucket refused it
	RetryAfter    time.Time // end of the cool-down
	Cooling       bool      // not sent: refused earlier and still cooling down
	ClientChanged bool      // bitbucket.clientId or the secret differ from the login's
	Err           error     // the token endpoint's answer; nil when Cooling
}

func (e *RefreshRefusedError) Error() string {
	switch {
	case e.ClientChanged:
		return "Bitbucket refused the stored refresh token, and bitbucket.clientId or the client secret changed since the login"
	case e.Cooling:
		return fmt.Sprintf("Bitbucket refused the stored refresh token at %s (used elsewhere, revoked, unused for 90 days, or a short lockout); it is tried again after %s",
			e.Refused.UTC().Format(time.RFC3339), e.RetryAfter.UTC().Format(time.RFC3339))
	}
	return "Bitbucket refused the stored refresh token (used elsewhere, revoked, or unused for 90 days)"
}

func (e *RefreshRefusedError) Unwrap() error { return e.Err }

func (e *RefreshRefusedError) Is(target error) bool {
	return target == auth.ErrRefreshRefused || target == auth.ErrInteractionRequired
}

// isRefusedRefresh reports whether the token endpoint refused a refresh:
// invalid_grant (RFC 6749 §5.2), invalid_request (Bitbucket's answer to an
// unknown refresh token, docs/bitbucket-behaviour.md#cloud-2025-refresh) or unauthorized_client (its answer to a
// rotated-away token and during a lockout, docs/bitbucket-behaviour.md#cloud-2026). None of them blames
// the client secret.
func isRefusedRefresh(err error) bool {
	var te *TokenError
	if !errors.As(err, &te) || te.Op != opRefresh {
		return false
	}
	switch te.Code {
	case "invalid_grant", "invalid_request", "unauthorized_client":
		return true
	}
	return false
}

// keepAliveDue reports whether rec's refresh token has gone unused for
// keepAliveAfter, so that a get refreshes it although the access token is
// still valid. A record written before RefreshUsed existed counts from its
// last update. Client credentials and JWT keep no refresh token.
func keepAliveDue(rec *tokenstore.Record, now time.Time) bool { return fastpath.KeepAliveDue(rec, now) }

// refreshOrConsent spends prev's refresh token. valid says prev's access
// token is still good (a keep-alive refresh): then any failure keeps prev
// and its access token in service.
func (c *call) refreshOrConsent(ctx context.Context, prev *tokenstore.Record, valid bool) (*tokenstore.Record, error) {
	if prev.RefreshUsed.IsZero() {
		p := *prev
		p.RefreshUsed = fastpath.LastRefreshUse(prev) // keep the clock when prev is saved again
		prev = &p
	}
	if !prev.RefreshRefused.IsZero() {
		retry := prev.RefreshRefused.Add(DefaultRefreshCooldown)
		if c.now().Before(retry) {
			c.tracef("the refresh token was refused at %s: not tried again before %s",
				prev.RefreshRefused.UTC().Format(time.RFC3339), retry.UTC().Format(time.RFC3339))
			if valid {
				return prev, nil
			}
			return c.afterRefusal(ctx, prev, &RefreshRefusedError{Refused: prev.RefreshRefused, RetryAfter: retry, Cooling: true})
		}
		c.tracef("the refresh token was refused at %s: trying it again", prev.RefreshRefused.UTC().Format(time.RFC3339))
	}
	if valid {
		c.tracef("keep-alive: the refresh token was last used %s", fastpath.LastRefreshUse(prev).UTC().Format(time.RFC3339))
	}
	rec, err := c.refresh(ctx, prev)
	if err == nil {
		return rec, nil
	}
	if !isRefusedRefresh(err) {
		if valid {
			c.tracef("keep-alive refresh failed (%v): the access token stays in use", err)
			return prev, nil
		}
		return nil, err
	}
	// Kept as suspect, not deleted: a lockout refuses valid tokens too.
	suspect := *prev
	suspect.RefreshRefused = c.now()
	c.tracef("Bitbucket refused the refresh token (%v): kept as suspect until %s", err,
		suspect.RefreshRefused.Add(DefaultRefreshCooldown).UTC().Format(time.RFC3339))
	if valid {
		return &suspect, nil
	}
	refused := &RefreshRefusedError{Refused: suspect.RefreshRefused,
		RetryAfter: suspect.RefreshRefused.Add(DefaultRefreshCooldown), Err: err}
	return c.afterRefusal(ctx, &suspect, refused)
}

// afterRefusal asks for a new consent when a person may be asked, else
// returns the suspect record (for the store) and why there is no token.
func (c *call) afterRefusal(ctx context.Context, suspect *tokenstore.Record, refused *RefreshRefusedError) (*tokenstore.Record, error) {
	refused.ClientChanged = c.clientChanged(suspect)
	if refused.ClientChanged {
		c.tracef("bitbucket.clientId or the client secret changed since the login")
	}
	if !c.env.Interactive {
		return suspect, refused
	}
	c.tracef("%v: asking for a new consent", refused)
	rec, err := c.mint(ctx)
	if err != nil {
		return suspect, err
	}
	return rec, nil
}

// Client fingerprints: "v1:" salt ":" HMAC-SHA256(salt, id NUL secret),
// both unpadded base64url. The salt makes equal secrets look different in
// different records; the secret itself is never stored.
const fingerprintPrefix = "v1:"

func fingerprintWith(salt []byte, clientID, secret string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(clientID))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	enc := base64.RawURLEncoding
	return fingerprintPrefix + enc.EncodeToString(salt) + ":" + enc.EncodeToString(m.Sum(nil))
}

// fingerprint is a new salted fingerprint of the call's client.
func (c *call) fingerprint() string {
	salt := make([]byte, 16)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	return fingerprintWith(salt, c.s.ClientID, c.clientSecret)
}

// clientChanged reports whether rec was minted with another client id or
// secret than the call's. A record without a readable fingerprint proves
// nothing.
func (c *call) clientChanged(rec *tokenstore.Record) bool {
	rest, ok := strings.CutPrefix(rec.ClientFingerprint, fingerprintPrefix)
	if !ok {
		return false
	}
	saltText, _, ok := strings.Cut(rest, ":")
	salt, err := base64.RawURLEncoding.DecodeString(saltText)
	if !ok || err != nil || len(salt) == 0 {
		return false
	}
	want := fingerprintWith(salt, c.s.ClientID, c.clientSecret)
	return !hmac.Equal([]byte(want), []byte(rec.ClientFingerprint))
}
