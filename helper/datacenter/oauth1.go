package datacenter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/dghubble/oauth1"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// oauth1Client signs protected-resource requests for one leg.
type oauth1Client struct {
	c         *call
	sg        *signer
	leg       string // leg3LO, leg2LO, leg2LOi
	token     string // 3LO access token; "" for 2LO
	requestor string // xoauth_requestor_id for leg2LOi
}

// newSigner loads the key and builds the signer; configuration problems
// are *auth.ConfigError.
func (c *call) newSigner() (*signer, error) {
	if c.s.ConsumerKey == "" {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.consumerKey is not set for %s (grant %s)", redactURL(c.base), c.grant)}
	}
	key, err := loadPrivateKey(c.p.readSecretFile, c.s.PrivateKeyFile)
	if err != nil {
		return nil, &auth.ConfigError{Msg: err.Error()}
	}
	return &signer{consumerKey: c.s.ConsumerKey, rsa: &oauth1.RSASigner{PrivateKey: key}, now: c.now}, nil
}

// oauth1Client returns a client for the grant name; for grant.OAuth1Impersonate, user is
// the requestor; for grant.OAuth1, rec must hold the access token.
func (c *call) oauth1Client(name string, rec *tokenstore.Record, user string) (*oauth1Client, error) {
	sg, err := c.newSigner()
	if err != nil {
		return nil, err
	}
	cl := &oauth1Client{c: c, sg: sg}
	switch name {
	case grant.OAuth1:
		if rec == nil || rec.OAuth1Token == "" {
			return nil, fmt.Errorf("no OAuth 1 access token stored: %w", auth.ErrInteractionRequired)
		}
		cl.leg, cl.token = leg3LO, rec.OAuth1Token
	case grant.OAuth1TwoLegged:
		cl.leg = leg2LO
	case grant.OAuth1Impersonate:
		if user == "" {
			return nil, &auth.ConfigError{Msg: "grant " + grant.OAuth1Impersonate + " needs bitbucket.user"}
		}
		cl.leg, cl.requestor = leg2LOi, user
	default:
		return nil, fmt.Errorf("grant %q does not sign with OAuth 1", name)
	}
	return cl, nil
}

// newRequest builds a signed request to u (the requestor, if any, added
// to the query before signing).
func (cl *oauth1Client) newRequest(ctx context.Context, method string, u *url.URL, body io.Reader, contentType string) (*http.Request, error) {
	v := *u
	if cl.requestor != "" {
		q := v.Query()
		q.Set("xoauth_requestor_id", cl.requestor)
		v.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, v.String(), body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	// oauth_token is sent even when empty: that is how Atlassian tells a
	// 2-legged request (docs/bitbucket-behaviour.md#dc-oauth1-wire). The token secret is unused by RSA-SHA1.
	if err := cl.sg.sign(req, map[string]string{"oauth_token": cl.token}); err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return req, nil
}

// whoami returns the acting user's slug from the X-AUSERNAME header of a
// signed GET of application-properties (docs/bitbucket-behaviour.md#dc-oauth2: DC has no "current user"
// endpoint).
func (cl *oauth1Client) whoami(ctx context.Context) (string, error) {
	const op = "find the acting user"
	resp, err := cl.c.sendJSON(ctx, op, cl.leg, func() (*http.Request, error) {
		req, err := cl.newRequest(ctx, http.MethodGet, endpoint(cl.c.base, "rest", "api", "latest", "application-properties"), nil, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return req, nil
	}, nil)
	if err != nil {
		return "", cl.withUser(err)
	}
	// The base URL answers: a later 404 under it is about the request.
	cl.c.baseOK = true
	slug := resp.Header.Get("X-AUSERNAME")
	if slug == "" {
		return "", fmt.Errorf("%s: the server named no user (no X-AUSERNAME header); is the application link's execute-as user set, or is anonymous access answering?", op)
	}
	return slug, nil
}

// withUser names the impersonated user in an OAuth problem of this
// client's requests.
func (cl *oauth1Client) withUser(err error) error {
	var pe *oauthProblemError
	if cl.requestor != "" && errors.As(err, &pe) {
		pe.User = cl.requestor
	}
	return err
}

// userNotFound tells a 404 for a missing user from one for a wrong base
// URL on a request under /users/{slug}: it is the user's when the base URL
// answered earlier in this call or Bitbucket names NoSuchUserException.
func (cl *oauth1Client) userNotFound(err error, slug string) error {
	var he *httpError
	if !errors.As(err, &he) || he.Status != http.StatusNotFound {
		return cl.withUser(err)
	}
	if cl.c.baseOK || strings.HasSuffix(he.Exception, "NoSuchUserException") {
		he.User, he.Impersonated = slug, cl.requestor != ""
	}
	return err
}
