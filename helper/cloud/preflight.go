package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"golang.org/x/oauth2"
)

var _ auth.Checker = (*Provider)(nil)

// preflightCode is the code the consumer check exchanges: no code Bitbucket
// issued, so a consumer that authenticates gets invalid_grant.
const preflightCode = "git-credential-bitbucket-preflight"

// Preflight implements auth.Checker. client-credentials and jwt get a
// token. authorization-code checks the consumer as the flow will use it,
// with the redirect_uri login would send: the authorize page, not
// followed, shows "Invalid client_id" or "Invalid redirect_uri" for a
// wrong key or callback (docs/bitbucket-behaviour.md#cloud-authorize-errors);
// then the token endpoint, given a code it never issued, says
// invalid_grant to a consumer whose secret is right and refuses the
// client otherwise (docs/bitbucket-behaviour.md#cloud-token-errors).
func (p *Provider) Preflight(ctx context.Context, env *auth.Env) (*tokenstore.Record, error) {
	c, err := p.newCall(env)
	if err != nil {
		return nil, err
	}
	if c.grant != grant.AuthorizationCode {
		return c.mint(ctx)
	}
	cb, err := consent.Listen(c.p.Listen, c.s.RedirectURL, "/")
	if err != nil {
		return nil, err
	}
	redirectURI := cb.URL
	cb.Close()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.probeAuthorize(ctx, redirectURI); err != nil {
		return nil, err
	}
	return nil, c.probeToken(ctx, redirectURI)
}

// probeAuthorize loads the authorize page without following its redirect.
func (c *call) probeAuthorize(ctx context.Context, redirectURI string) error {
	hc := http.DefaultClient
	if c.env.HTTP != nil {
		hc = c.env.HTTP
	}
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	u := c.oauthConfig(redirectURI).AuthCodeURL("preflight")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return fmt.Errorf("checking the OAuth consumer at %s: %v", c.ep.authURL, scrubURLError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	c.tracef("preflight: authorize page answered HTTP %d", resp.StatusCode)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil // to the login page, or (signed in) to the callback
	}
	origin := c.env.Remote.Scheme + "://" + c.env.Remote.Host
	switch {
	case strings.Contains(string(body), "Invalid client_id"):
		return &auth.ConfigError{Msg: fmt.Sprintf("%s has no OAuth consumer with the key %q (the authorize page says \"Invalid client_id\"): set bitbucket.clientId to the consumer's Key (workspace settings, OAuth consumers)", origin, c.s.ClientID)}
	case strings.Contains(string(body), "Invalid redirect_uri"):
		return &auth.ConfigError{Msg: fmt.Sprintf("the OAuth consumer %q does not accept the redirect %s (the authorize page says \"Invalid redirect_uri\"): set the consumer's Callback URL to %s, or set bitbucket.redirectURL to a URL under its callback", c.s.ClientID, redirectURI, callbackFor(redirectURI, c.s.RedirectURL != ""))}
	}
	return nil
}

// callbackFor is the Callback URL a consumer needs for redirectURI: the
// exact URL when bitbucket.redirectURL fixes it, else the loopback origin
// without a port (login listens on a free port each time).
func callbackFor(redirectURI string, fixed bool) string {
	if fixed {
		return redirectURI
	}
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	return "http://" + u.Hostname()
}

// probeToken exchanges a code Bitbucket never issued.
func (c *call) probeToken(ctx context.Context, redirectURI string) error {
	cfg := c.oauthConfig(redirectURI)
	_, err := c.retrieve(ctx, "consumer check", func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.Exchange(ctx, preflightCode)
	})
	var te *TokenError
	switch {
	case err == nil:
		return errors.New("consumer check: the token endpoint accepted a code it never issued")
	case !errors.As(err, &te):
		return err
	case te.Code == "invalid_grant":
		return nil // the consumer authenticated; only the code is wrong
	case te.Fix != "":
		kind := " --kind cloud"
		if gitconfig.IsCloudHost(c.env.Remote.Host) {
			kind = ""
		}
		return &auth.ConfigError{Msg: fmt.Sprintf("the OAuth consumer %q refused its secret (%s): put the consumer's Secret in bitbucket.clientSecretFile (git-credential-bitbucket configure %s%s --grant authorization-code --client-id %s --client-secret-stdin)",
			c.s.ClientID, te.message(), c.env.Remote, kind, c.s.ClientID)}
	case strings.Contains(te.Description, "No callback uri"):
		return &auth.ConfigError{Msg: fmt.Sprintf("the OAuth consumer %q has no Callback URL: set it to %s", c.s.ClientID, callbackFor(redirectURI, c.s.RedirectURL != ""))}
	}
	return te
}

// scrubURLError drops the URL (which carries the client id and a redirect)
// from a transport error, keeping its cause.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
