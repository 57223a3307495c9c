package datacenter

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/redirect"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// maxBody bounds every response body the helper reads.
const maxBody = 1 << 20

// call is one Obtain/Revoke/Account: the environment with its defaults
// resolved.
type call struct {
	p        *Provider
	env      *auth.Env
	s        *gitconfig.Settings
	base     *url.URL // scheme://host[:port][/context-path], no trailing slash
	grant    string
	margin   time.Duration
	http     *http.Client
	now      func() time.Time
	username string // what git sent
	// baseOK: a request to an endpoint every Bitbucket Server has
	// succeeded under base in this call, so a later 404 is not about
	// the base URL.
	baseOK bool
}

func (p *Provider) newCall(env *auth.Env) (*call, error) {
	if env == nil || env.Settings == nil {
		return nil, &auth.ConfigError{Msg: "bitbucket server: no settings"}
	}
	s := env.Settings
	base, err := BaseURL(env.Remote, s)
	if err != nil {
		return nil, &auth.ConfigError{Msg: err.Error()}
	}
	served := grant.OneOf(grant.Of(grant.KindServer, grant.KindDataCenter))
	if g, ok := grant.Lookup(s.Grant); !ok || (g.Kind != grant.KindServer && g.Kind != grant.KindDataCenter) {
		if s.Grant == "" {
			return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.grant is not set for %s (%s)", redactURL(base), served)}
		}
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.grant %q is not a Bitbucket Server/Data Center grant (%s)", s.Grant, served)}
	}
	c := &call{p: p, env: env, s: s, base: base, grant: s.Grant, margin: s.RefreshMargin,
		http: env.HTTP, now: env.Now, username: env.Username}
	if c.margin <= 0 {
		c.margin = defaultRefreshMargin
	}
	// Every request of a call carries a credential (a signature, a
	// client secret, a token): none follows a redirect (issue 10).
	c.http = redirect.Refuse(c.http, "bitbucket.apiURL")
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

func (c *call) tracef(format string, args ...any) {
	if c.env.Trace != nil {
		c.env.Trace("server: "+format, args...)
	}
}

// fresh reports whether rec's access token outlives the margin
// (fastpath.Fresh, the one rule).
func (c *call) fresh(rec *tokenstore.Record) bool { return fastpath.Fresh(rec, c.now(), c.margin) }

// do sends req and returns the status, headers and (bounded) body. A
// non-2xx response becomes an *oauthProblemError when the server names an
// oauth_problem (or leg is an OAuth 1 leg and the status is 401), else an
// *httpError. Bodies never reach errors whole.
func (c *call) do(req *http.Request, op, leg string) (*http.Response, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, netmsg.Explain(redactURLError(err)))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading the response: %w", op, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, body, nil
	}
	if prob := problemFrom(resp.Header, body); prob != nil || (leg != "" && leg != legOAuth2 && resp.StatusCode == http.StatusUnauthorized) {
		e := &oauthProblemError{Op: op, Leg: leg, Status: resp.StatusCode,
			ConsumerKey: c.s.ConsumerKey, KeyFile: c.s.PrivateKeyFile}
		if prob != nil {
			e.Problem = sanitize(prob.Get("oauth_problem"))
			e.Advice = sanitize(prob.Get("oauth_problem_advice"))
			e.Params = sanitize(prob.Get("oauth_parameters_absent") + prob.Get("oauth_parameters_rejected"))
		}
		return resp, body, e
	}
	msg, exc := restError(body)
	return resp, body, &httpError{Op: op, Status: resp.StatusCode, Message: msg, Exception: exc, Base: redactURL(c.base)}
}

// doJSON is do plus decoding of a JSON body into out (when non-nil).
func (c *call) doJSON(req *http.Request, op, leg string, out any) (*http.Response, error) {
	req.Header.Set("Accept", "application/json")
	resp, body, err := c.do(req, op, leg)
	if err != nil {
		return resp, err
	}
	return resp, decodeJSON(op, resp, body, out)
}

// decodeJSON decodes a 2xx body into out (when non-nil).
func decodeJSON(op string, resp *http.Response, body []byte, out any) error {
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s: malformed JSON response (HTTP %d)", op, resp.StatusCode)
		}
	}
	return nil
}

// redactURLError keeps a transport error but drops the URL's query, which
// may carry signed or personal parameters.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			u.User = nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	v.User = nil
	v.RawQuery = ""
	v.Fragment = ""
	return v.String()
}
