package datacenter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/termsafe"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// consent runs the 3-legged dance (RFC 5849 §2): request token with a
// loopback callback, the user's consent in the browser, verifier, access
// token, which is stored in rec. The address the browser was sent to (or
// the verifier) pasted on the terminal is read at the same time. When no
// browser can be opened and there is a terminal, it starts over with an
// "oob" request token: the consent page then shows the verification code
// to paste.
func (p *Provider) consent(ctx context.Context, c *call, rec *tokenstore.Record) error {
	if !c.env.Interactive {
		return fmt.Errorf("grant %s needs your consent in a browser for %s: %w", grant.OAuth1, redactURL(c.base), auth.ErrInteractionRequired)
	}
	if c.env.OpenBrowser == nil && c.env.TTY == nil {
		return fmt.Errorf("grant %s needs a browser or a terminal for the consent: %w", grant.OAuth1, auth.ErrInteractionRequired)
	}
	sg, err := c.newSigner()
	if err != nil {
		return err
	}
	ctx, cancel, limit := p.consentContext(ctx)
	defer cancel()

	why := ""
	if c.env.OpenBrowser != nil {
		rt, verifier, err := p.consentInBrowser(ctx, c, sg, limit)
		var nb *noBrowserError
		switch {
		case err == nil:
			return c.accessToken(ctx, sg, rt, verifier, rec)
		case !errors.As(err, &nb) || c.env.TTY == nil:
			return err
		}
		c.tracef("%v: the verification code will be pasted instead", err)
		why = termsafe.Line(nb.err.Error())
	}

	rt, err := c.requestToken(ctx, sg, "oob")
	if err != nil {
		return err
	}
	verifier, err := c.person().Await(ctx, nil, c.oauth1Login(rt, limit, why))
	if err != nil {
		return c.consentErr(ctx, "grant "+grant.OAuth1, limit, err)
	}
	return c.accessToken(ctx, sg, rt, verifier, rec)
}

// oauth1Login is the wait for the consent of request token rt: the
// browser coming back with our rt, or a pasted address or verifier.
func (c *call) oauth1Login(rt string, limit time.Duration, noBrowser string) consent.Login {
	accept := consent.ParamIs("oauth_token", rt)
	verifierOf := func(q url.Values) (string, error) {
		v := q.Get("oauth_verifier")
		if v == "" || v == "denied" {
			return "", errors.New("access was denied on the consent page" + consent.Again + " and allow access")
		}
		return v, nil
	}
	return consent.Login{
		Origin: redactURL(c.base), URL: c.authorizeURL(rt), Limit: limit, NoBrowser: noBrowser,
		Query: verifierOf,
		Paste: func(line string) (string, error) {
			if strings.Contains(line, "?") || strings.Contains(line, "://") {
				u, err := url.Parse(line)
				if err != nil || !accept(u.Query()) {
					return "", errors.New("the pasted address is not from this authorization (another request token)" + consent.Again)
				}
				return verifierOf(u.Query())
			}
			if line == "denied" {
				return "", errors.New("access was denied on the consent page" + consent.Again + " and allow access")
			}
			if !consent.IsBareCode(line) {
				return "", errors.New("the pasted text is not an address or a verification code" + consent.Again)
			}
			return line, nil
		},
		PasteWhat: consent.PasteVerifier,
	}
}

// noBrowserError: the browser could not be opened.
type noBrowserError struct{ err error }

func (e *noBrowserError) Error() string { return "opening the browser: " + e.err.Error() }
func (e *noBrowserError) Unwrap() error { return e.err }

// consentInBrowser gets a request token for a loopback callback, opens
// the consent page and waits for the browser to come back (or a paste).
func (p *Provider) consentInBrowser(ctx context.Context, c *call, sg *signer, limit time.Duration) (rt, verifier string, err error) {
	cb, err := consent.Listen(p.Listen, c.s.RedirectURL, "/oauth1/callback")
	if err != nil {
		return "", "", err
	}
	defer cb.Close()
	if rt, err = c.requestToken(ctx, sg, cb.URL); err != nil {
		return "", "", err
	}
	// Only the browser coming back for our request token ends the wait.
	cb.Serve(consent.ParamIs("oauth_token", rt))
	c.tracef("3-legged consent: callback %s", cb.URL)
	if err := cb.Open(c.env.OpenBrowser, c.authorizeURL(rt)); err != nil {
		return "", "", &noBrowserError{err}
	}
	l := c.oauth1Login(rt, limit, "")
	l.Opened = true
	if verifier, err = c.person().Await(ctx, cb, l); err != nil {
		return "", "", c.consentErr(ctx, "grant "+grant.OAuth1, limit, err)
	}
	return rt, verifier, nil
}

func (c *call) authorizeURL(rt string) string {
	u := endpoint(c.base, "plugins", "servlet", "oauth", "authorize")
	u.RawQuery = url.Values{"oauth_token": {rt}}.Encode()
	return u.String()
}

// requestToken is POST {base}/plugins/servlet/oauth/request-token
// (docs/bitbucket-behaviour.md#dc-oauth1-endpoints,
// docs/bitbucket-behaviour.md#dc-oauth1-wire); it returns the request token
// (its secret is unused by RSA-SHA1).
func (c *call) requestToken(ctx context.Context, sg *signer, callback string) (string, error) {
	const op = "start the OAuth consent"
	u := endpoint(c.base, "plugins", "servlet", "oauth", "request-token")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return "", err
	}
	if err := sg.sign(req, map[string]string{"oauth_callback": callback}); err != nil {
		return "", fmt.Errorf("%s: signing: %w", op, err)
	}
	_, body, err := c.do(req, op, legRequestToken)
	if err != nil {
		return "", err
	}
	v, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil || v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" {
		return "", fmt.Errorf("%s: the response holds no request token", op)
	}
	if v.Get("oauth_callback_confirmed") != "true" {
		return "", fmt.Errorf("%s: the server did not confirm the callback (oauth_callback_confirmed)", op)
	}
	return v.Get("oauth_token"), nil
}

// accessToken is POST {base}/plugins/servlet/oauth/access-token with the
// request token and verifier; the access token lands in rec.
func (c *call) accessToken(ctx context.Context, sg *signer, rt, verifier string, rec *tokenstore.Record) error {
	const op = "finish the OAuth consent"
	u := endpoint(c.base, "plugins", "servlet", "oauth", "access-token")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return err
	}
	if err := sg.sign(req, map[string]string{"oauth_token": rt, "oauth_verifier": verifier}); err != nil {
		return fmt.Errorf("%s: signing: %w", op, err)
	}
	_, body, err := c.do(req, op, legAccessToken)
	if err != nil {
		return err
	}
	v, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil || v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" {
		return fmt.Errorf("%s: the response holds no access token", op)
	}
	life := oauth1AccessTokenLife
	if s, err := strconv.ParseInt(v.Get("oauth_expires_in"), 10, 64); err == nil && s > 0 {
		life = time.Duration(s) * time.Second
	}
	rec.OAuth1Token = v.Get("oauth_token")
	rec.OAuth1TokenSecret = v.Get("oauth_token_secret")
	rec.OAuth1Expiry = c.now().Add(life)
	c.tracef("3-legged access token granted, valid until %s", rec.OAuth1Expiry.UTC().Format("2006-01-02"))
	return nil
}
