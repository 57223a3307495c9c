package consent

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// DefaultTimeout bounds a wait for a person when the provider sets no
// limit (Cloud's; Data Center sets a longer one, README.md#login).
const DefaultTimeout = 3 * time.Minute

// Bound bounds ctx by limit (zero or less: DefaultTimeout) for a wait for
// a person; it returns the bound too, which the person is told.
func Bound(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc, time.Duration) {
	if limit <= 0 {
		limit = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	return ctx, cancel, limit
}

// NewState is the state of one authorization request (RFC 6749 §10.12):
// 32 random bytes, base64url.
func NewState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CodeFlow is the one authorization code grant (RFC 6749 §4.1) of both
// products, with PKCE S256 (RFC 7636) and a random state: a loopback
// listener (RFC 8252 §7.3) receives the redirect from the browser, and the
// redirected URL (or the bare code) pasted on the terminal is read at the
// same time, whichever comes first (Person.Await), for at most Limit.
type CodeFlow struct {
	Listen      ListenFunc             // nil: net.Listen
	RedirectURL string                 // bitbucket.redirectURL; "" for 127.0.0.1 on a random port
	Path        string                 // the callback path when RedirectURL is ""
	Origin      string                 // the server, as the person is told
	Limit       time.Duration          // zero: DefaultTimeout
	Person      Person                 // who is asked
	OpenBrowser func(url string) error // nil: the URL is only shown
	Trace       func(format string, args ...any)
}

// Code runs the consent for cfg (whose RedirectURL it sets to the
// listener's) and returns the code with the PKCE option the exchange
// needs. The error is ErrNoWay's, a *TimeoutError when Limit ran out,
// ctx's error when ctx ended first, or the wait's own.
func (f CodeFlow) Code(ctx context.Context, cfg *oauth2.Config) (string, oauth2.AuthCodeOption, error) {
	cb, err := Listen(f.Listen, f.RedirectURL, f.Path)
	if err != nil {
		return "", nil, err
	}
	defer cb.Close()
	cfg.RedirectURL = cb.URL
	verifier := oauth2.GenerateVerifier()
	state, err := NewState()
	if err != nil {
		return "", nil, err
	}
	cb.Serve(StateIs(state))
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	actx, cancel, limit := Bound(ctx, f.Limit)
	defer cancel()
	if f.Trace != nil {
		f.Trace("authorization code: redirect %s, waiting up to %s", cb.URL, limit)
	}
	code, err := f.Person.Await(actx, cb, OAuth2(f.Origin, authURL, f.OpenBrowser, limit, state))
	switch {
	case err == nil:
		return code, oauth2.VerifierOption(verifier), nil
	case ctx.Err() != nil:
		return "", nil, ctx.Err()
	case actx.Err() != nil:
		return "", nil, &TimeoutError{Limit: limit}
	}
	return "", nil, err
}
