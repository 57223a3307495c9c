// Package cloud is the Bitbucket Cloud provider of the credential helper:
// OAuth 2 (RFC 6749) through golang.org/x/oauth2 with the authorization
// code grant (PKCE, loopback redirect, paste fallback), client credentials,
// the Connect JWT grant (urn:bitbucket:oauth2:jwt) and refresh.
//
// Client authentication at the token endpoint is set explicitly to HTTP
// Basic (oauth2.AuthStyleInHeader), the style Bitbucket documents
// (docs/bitbucket-behaviour.md#cloud-client-auth): x/oauth2's default probe would send a failing request first
// and could retry a refresh with a single-use refresh token.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/redirect"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// redirectFix is what a refused redirect tells the user to fix.
const redirectFix = "bitbucket.apiURL (or the remote URL)"

// gitUsername is the username Bitbucket Cloud expects with an OAuth access
// token over HTTPS (docs/bitbucket-behaviour.md#cloud-using-tokens).
const gitUsername = "x-token-auth"

// Defaults for settings left unset.
const (
	defaultAuthTimeout   = consent.DefaultTimeout // the one bound of both products
	defaultTimeout       = gitconfig.DefaultTimeout
	defaultRefreshMargin = fastpath.DefaultRefreshMargin
	// defaultScopes is what authorization-code asks for when
	// bitbucket.scopes is unset: clone, push, and /2.0/user for status.
	defaultScopes = "repository:write account"
)

// Provider implements auth.Provider for Bitbucket Cloud. The zero value is
// ready to use.
type Provider struct {
	// AuthTimeout bounds the wait for the browser redirect or the pasted
	// code; zero means defaultAuthTimeout.
	AuthTimeout time.Duration
	// Listen opens the loopback listener for the redirect; nil means
	// net.Listen.
	Listen func(network, address string) (net.Listener, error)
}

var _ auth.Provider = (*Provider)(nil)

// New returns a Provider with defaults.
func New() *Provider { return &Provider{} }

// endpoints are the URLs of one Cloud instance.
type endpoints struct {
	authURL, tokenURL string
	api               string // REST base including /2.0, no trailing slash
}

// endpointsFor derives the endpoints: bitbucket.org's documented ones
// (docs/bitbucket-behaviour.md#cloud-endpoints), or for another configured Cloud host (the mock) the same
// paths on the remote's origin; bitbucket.apiURL overrides the REST base.
func endpointsFor(remote *url.URL, s *gitconfig.Settings) (endpoints, error) {
	if remote == nil || remote.Host == "" {
		return endpoints{}, errors.New("no remote URL")
	}
	var ep endpoints
	if gitconfig.IsCloudHost(remote.Host) {
		ep = endpoints{
			authURL:  "https://bitbucket.org/site/oauth2/authorize",
			tokenURL: "https://bitbucket.org/site/oauth2/access_token",
			api:      "https://api.bitbucket.org/2.0",
		}
	} else {
		origin := remote.Scheme + "://" + remote.Host
		ep = endpoints{
			authURL:  origin + "/site/oauth2/authorize",
			tokenURL: origin + "/site/oauth2/access_token",
			api:      origin + "/2.0",
		}
	}
	if s != nil && s.APIURL != "" {
		u, err := url.Parse(s.APIURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return endpoints{}, fmt.Errorf("bitbucket.apiURL %q is not an absolute http(s) URL", s.APIURL)
		}
		if u.Scheme == "http" && !loopback.Is(u.Host) {
			// status and token send the access token there.
			return endpoints{}, &auth.ConfigError{Msg: fmt.Sprintf("refusing to send a token over plain http to bitbucket.apiURL %s: use https", u.Redacted())}
		}
		api := strings.TrimSuffix(s.APIURL, "/")
		if !strings.HasSuffix(api, "/2.0") {
			api += "/2.0"
		}
		ep.api = api
	}
	return ep, nil
}

// call is one Obtain/Revoke/Account with its settings resolved.
type call struct {
	p            *Provider
	env          *auth.Env
	s            *gitconfig.Settings
	ep           endpoints
	grant        string
	margin       time.Duration
	timeout      time.Duration
	now          func() time.Time
	http         *http.Client
	clientSecret string
}

func (p *Provider) newCall(env *auth.Env) (*call, error) {
	if env == nil || env.Settings == nil {
		return nil, &auth.ConfigError{Msg: "bitbucket cloud: no settings"}
	}
	s := env.Settings
	ep, err := endpointsFor(env.Remote, s)
	if err != nil {
		return nil, &auth.ConfigError{Msg: err.Error()}
	}
	c := &call{p: p, env: env, s: s, ep: ep, grant: s.Grant, margin: s.RefreshMargin,
		timeout: s.Timeout, now: env.Now, http: env.HTTP}
	if c.margin <= 0 {
		c.margin = defaultRefreshMargin
	}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	// Every request of a call carries a credential (docs/bitbucket-behaviour.md#cloud-client-auth): none
	// follows a redirect (issue 10 point 3).
	c.http = redirect.Refuse(c.http, redirectFix)
	if err := c.checkConfig(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkConfig refuses what cannot work before any network call, with a
// message that says what to set.
func (c *call) checkConfig() error {
	origin := c.env.Remote.Scheme + "://" + c.env.Remote.Host
	switch c.grant {
	case grant.AuthorizationCode, grant.ClientCredentials:
		if c.s.ClientID == "" {
			return &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.clientId is not set for %s (the OAuth consumer's key); see git-credential-bitbucket configure --help", origin)}
		}
		secret, err := c.secret()
		if err != nil {
			return err
		}
		if secret == "" && c.grant == grant.ClientCredentials {
			return &auth.ConfigError{Msg: fmt.Sprintf("the %s grant for %s needs the consumer's secret: set bitbucket.clientSecretFile", c.grant, origin)}
		}
		c.clientSecret = secret
	case grant.JWT:
		if c.s.JWTKey == "" || c.s.JWTClientKey == "" {
			return &auth.ConfigError{Msg: fmt.Sprintf("the %s grant for %s needs bitbucket.jwtKey (the Connect app key) and bitbucket.jwtClientKey", c.grant, origin)}
		}
		secret := c.s.JWTSharedSecret
		if secret == "" {
			var err error
			if secret, err = c.secret(); err != nil {
				return err
			}
		}
		if secret == "" {
			return &auth.ConfigError{Msg: fmt.Sprintf("the %s grant for %s needs the Connect shared secret: set bitbucket.clientSecretFile (or bitbucket.jwtSharedSecret)", c.grant, origin)}
		}
		c.clientSecret = secret
	case grant.Implicit:
		return &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.grant=%s for %s is not offered: the implicit grant gives no refresh token and returns the token in a URL fragment; use %s (or %s for CI)", c.grant, origin, grant.AuthorizationCode, grant.ClientCredentials)}
	case "":
		return &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.grant is not set for %s: use %s (git-credential-bitbucket configure %s --grant ...)", origin, grant.OneOf(grant.Of(grant.KindCloud)), origin)}
	default:
		return &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.grant %q for %s is not a Bitbucket Cloud grant: use %s", c.grant, origin, grant.OneOf(grant.Of(grant.KindCloud)))}
	}
	return nil
}

// secret is the client secret from config or from bitbucket.clientSecretFile.
func (c *call) secret() (string, error) {
	if c.s.ClientSecret != "" {
		return c.s.ClientSecret, nil
	}
	if c.s.ClientSecretFile == "" {
		return "", nil
	}
	b, err := gitconfig.ReadSecretFile(c.s.ClientSecretFile)
	if err != nil {
		return "", &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.clientSecretFile: %v", err)}
	}
	return strings.TrimSpace(string(b)), nil
}

func (c *call) tracef(format string, args ...any) {
	if c.env.Trace != nil {
		c.env.Trace("cloud: "+format, args...)
	}
}

// fresh is fastpath.Fresh, the one rule, with the call's clock and margin.
func (c *call) fresh(rec *tokenstore.Record) bool { return fastpath.Fresh(rec, c.now(), c.margin) }

// oauthConfig is the x/oauth2 configuration for the consumer.
func (c *call) oauthConfig(redirectURL string) *oauth2.Config {
	scopes := c.s.Scopes
	if scopes == "" && c.grant == grant.AuthorizationCode {
		scopes = defaultScopes
	}
	return &oauth2.Config{
		ClientID:     c.s.ClientID,
		ClientSecret: c.clientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.ep.authURL,
			TokenURL:  c.ep.tokenURL,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirectURL,
		Scopes:      strings.Fields(strings.ReplaceAll(scopes, ",", " ")),
	}
}

// Obtain implements auth.Provider: prev as is while it outlives the margin
// (unless its refresh token needs a keep-alive), else refreshed, else
// minted (client credentials, JWT) or authorized (authorization code, only
// when a person may be asked).
//
// Client credentials and JWT never refresh: on expiry the grant runs again
// (docs/bitbucket-behaviour.md#cloud-2026: client credentials issue no refresh token). A refresh token
// the server refuses is kept as suspect (see refreshOrConsent) and
// returned in the record along with the error, for the store. Any other
// failure (network, 5xx, 429, an unreadable answer) returns nil and the
// error: the stored refresh token stays as it is.
func (p *Provider) Obtain(ctx context.Context, env *auth.Env, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	c, err := p.newCall(env)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.Grant != "" && prev.Grant != c.grant {
		c.tracef("stored record is for grant %q, now %q: starting over", prev.Grant, c.grant)
		prev = nil
	}
	if login || prev == nil {
		return c.mint(ctx)
	}
	valid := c.fresh(prev)
	if c.grant != grant.AuthorizationCode || prev.RefreshToken == "" {
		if valid {
			return prev, nil
		}
		return c.mint(ctx)
	}
	if valid && !keepAliveDue(prev, c.now()) {
		return prev, nil
	}
	return c.refreshOrConsent(ctx, prev, valid)
}

// mint runs the grant's normal flow.
func (c *call) mint(ctx context.Context) (*tokenstore.Record, error) {
	switch c.grant {
	case grant.AuthorizationCode:
		if !c.env.Interactive {
			return nil, fmt.Errorf("%w: the authorization-code grant needs a browser, and prompting is off", auth.ErrInteractionRequired)
		}
		return c.authorize(ctx)
	case grant.ClientCredentials:
		return c.clientCredentials(ctx)
	case grant.JWT:
		return c.jwtGrant(ctx)
	}
	return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.grant %q is not a Bitbucket Cloud grant", c.grant)}
}

// Revoke implements auth.Provider. Bitbucket Cloud has no endpoint to
// revoke an OAuth access or refresh token (a user revokes the consumer's
// access in the web UI), so there is nothing to do.
func (p *Provider) Revoke(ctx context.Context, env *auth.Env, rec *tokenstore.Record) error {
	return nil
}
