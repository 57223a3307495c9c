package datacenter

// OAuth 1.0a application links (docs/bitbucket-behaviour.md#dc-oauth1): the checks every signed request
// passes, in net.oauth's order, and the three legs' use of them.

import (
	"crypto/rsa"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/oauth1sp"
)

// o1RequestToken is a temporary credential (RFC 5849 §2.1).
type o1RequestToken struct {
	token, secret string
	consumer      string
	callback      string // absolute URL or "oob"
	expires       time.Time
	state         int // o1Pending, o1Approved, o1Denied
	user          string
	verifier      string
}

const (
	o1Pending = iota
	o1Approved
	o1Denied
)

// o1AccessToken is a token credential (RFC 5849 §2.3).
type o1AccessToken struct {
	token, secret  string
	consumer       string
	user           string
	expires        time.Time
	sessionHandle  string
	sessionExpires time.Time
}

// verifySigned runs the checks common to every signed request
// (oauth1sp.Checker.Verify) against the application links, the mock clock
// and the nonces seen; lookup (may be nil) checks the token for the link.
// Nonces older than the window are forgotten by the sweep
// (sweep.go): their timestamps are refused anyway.
func (s *State) verifySigned(r *http.Request, extra []string, lookup func(*oauth1sp.Message, *srvLink) *oauth1sp.Problem) (*oauth1sp.Message, *srvLink, *oauth1sp.Problem) {
	var link *srvLink
	c := oauth1sp.Checker{
		Now:    s.m.Now,
		Window: o1Window,
		Consumer: func(key string) *rsa.PublicKey {
			if link = s.links[key]; link == nil {
				return nil
			}
			return link.pub
		},
		SeenNonce: func(key string, ts int64) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			if _, used := s.nonces[key]; used {
				return true
			}
			s.nonces[key] = ts
			return false
		},
	}
	var check func(*oauth1sp.Message) *oauth1sp.Problem
	if lookup != nil {
		check = func(msg *oauth1sp.Message) *oauth1sp.Problem { return lookup(msg, link) }
	}
	msg, p := c.Verify(r, extra, check)
	return msg, link, p
}

// writeO1Problem answers with the problem and logs the leg.
func (s *State) writeO1Problem(w http.ResponseWriter, r *http.Request, leg string, msg *oauth1sp.Message, p *oauth1sp.Problem) {
	consumer := ""
	if msg != nil {
		consumer = msg.Value("oauth_consumer_key")
	}
	core.Annotate(r, leg, consumer, "")
	oauth1sp.WriteProblem(w, s.realm(r), p)
}

// validCallback is Atlassian's rule: an absolute http(s) URI, or "oob".
func validCallback(cb string) bool {
	if cb == "oob" {
		return true
	}
	u, err := url.Parse(cb)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// handleRequestToken is POST {base}/plugins/servlet/oauth/request-token
// (RFC 5849 §2.1).
func (s *State) handleRequestToken(w http.ResponseWriter, r *http.Request) {
	msg, link, p := s.verifySigned(r, []string{"oauth_callback"}, nil)
	if p == nil && !validCallback(msg.Value("oauth_callback")) {
		p = oauth1sp.NewProblem("parameter_rejected", "oauth_parameters_rejected", "oauth_callback",
			"oauth_problem_advice", "The oauth_callback must be an absolute http or https URI, or oob")
	}
	if p != nil {
		s.writeO1Problem(w, r, "request-token", msg, p)
		return
	}
	t := &o1RequestToken{
		token:    srvUUID(),
		secret:   srvRandomToken(80),
		consumer: link.ConsumerKey,
		callback: msg.Value("oauth_callback"),
		expires:  s.m.Now().Add(o1RequestTokenTTL),
	}
	s.mu.Lock()
	s.reqTokens[t.token] = t
	s.mu.Unlock()
	core.Annotate(r, "request-token", link.ConsumerKey, "")
	oauth1sp.WriteForm(w, []oauth1sp.Param{
		{Name: "oauth_token", Value: t.token},
		{Name: "oauth_token_secret", Value: t.secret},
		{Name: "oauth_callback_confirmed", Value: "true"},
	})
}

// handleAccessToken is POST {base}/plugins/servlet/oauth/access-token: a
// request token plus verifier becomes an access token (RFC 5849 §2.3), or
// an access token plus oauth_session_handle is renewed (Atlassian's
// session extension, docs/bitbucket-behaviour.md#dc-oauth1-wire).
func (s *State) handleAccessToken(w http.ResponseWriter, r *http.Request) {
	var req *o1RequestToken
	var renew *o1AccessToken
	lookup := func(msg *oauth1sp.Message, link *srvLink) *oauth1sp.Problem {
		tok := msg.Value("oauth_token")
		now := s.m.Now()
		s.mu.Lock()
		defer s.mu.Unlock()
		if t := s.reqTokens[tok]; t != nil && tok != "" {
			if t.consumer != link.ConsumerKey {
				return oauth1sp.NewProblem("token_rejected")
			}
			if !now.Before(t.expires) {
				return oauth1sp.NewProblem("token_expired")
			}
			req = t
			return nil
		}
		if t := s.accTokens[tok]; t != nil && tok != "" && msg.Value("oauth_session_handle") != "" {
			if t.consumer != link.ConsumerKey || t.sessionHandle != msg.Value("oauth_session_handle") {
				return oauth1sp.NewProblem("token_rejected")
			}
			if !now.Before(t.sessionExpires) {
				return oauth1sp.NewProblem("permission_denied", "oauth_problem_advice", "the session has expired")
			}
			renew = t
			return nil
		}
		return oauth1sp.NewProblem("token_rejected")
	}
	msg, link, p := s.verifySigned(r, []string{"oauth_token"}, lookup)
	if p != nil {
		s.writeO1Problem(w, r, "access-token", msg, p)
		return
	}
	now := s.m.Now()
	s.mu.Lock()
	var user string
	switch {
	case renew != nil:
		if s.accTokens[renew.token] != renew {
			p = oauth1sp.NewProblem("token_rejected")
			break
		}
		delete(s.accTokens, renew.token)
		user = renew.user
	case s.reqTokens[req.token] != req:
		p = oauth1sp.NewProblem("token_rejected") // exchanged meanwhile
	case req.state == o1Pending:
		p = oauth1sp.NewProblem("permission_unknown")
	case req.state == o1Denied:
		p = oauth1sp.NewProblem("permission_denied")
	default:
		v, ok := msg.Get("oauth_verifier")
		if !ok {
			p = oauth1sp.NewProblem("parameter_absent", "oauth_parameters_absent", "oauth_verifier")
		} else if v != req.verifier {
			p = oauth1sp.NewProblem("token_rejected")
		} else {
			delete(s.reqTokens, req.token)
			user = req.user
		}
	}
	var t *o1AccessToken
	if p == nil {
		t = &o1AccessToken{
			token:          srvUUID(),
			secret:         srvRandomToken(80),
			consumer:       link.ConsumerKey,
			user:           user,
			expires:        now.Add(o1AccessTokenTTL),
			sessionHandle:  srvRandomToken(32),
			sessionExpires: now.Add(o1SessionTTL),
		}
		s.accTokens[t.token] = t
	}
	s.mu.Unlock()
	if p != nil {
		s.writeO1Problem(w, r, "access-token", msg, p)
		return
	}
	core.Annotate(r, "access-token", link.ConsumerKey, user)
	oauth1sp.WriteForm(w, []oauth1sp.Param{
		{Name: "oauth_token", Value: t.token},
		{Name: "oauth_token_secret", Value: t.secret},
		{Name: "oauth_expires_in", Value: strconv.FormatInt(int64(o1AccessTokenTTL/time.Second), 10)},
		{Name: "oauth_session_handle", Value: t.sessionHandle},
		{Name: "oauth_authorization_expires_in", Value: strconv.FormatInt(int64(o1SessionTTL/time.Second), 10)},
	})
}

// authenticateOAuth1 verifies a signed request for a protected resource
// (docs/bitbucket-behaviour.md#dc-oauth1-wire): 3-legged with an access token, 2-legged with oauth_token
// present and empty (as the link's execute-as user), 2-legged with
// impersonation (xoauth_requestor_id).
func (s *State) authenticateOAuth1(r *http.Request) (*srvPrincipal, *oauth1sp.Problem, string) {
	var acc *o1AccessToken
	lookup := func(msg *oauth1sp.Message, link *srvLink) *oauth1sp.Problem {
		tok := msg.Value("oauth_token")
		if tok == "" {
			return nil // 2-legged: decided after the signature
		}
		s.mu.Lock()
		t := s.accTokens[tok]
		s.mu.Unlock()
		if t == nil || t.consumer != link.ConsumerKey {
			// Unknown, a request token, revoked (Atlassian deletes revoked
			// tokens), or another link's.
			return oauth1sp.NewProblem("token_rejected")
		}
		if !s.m.Now().Before(t.expires) {
			return oauth1sp.NewProblem("token_expired")
		}
		acc = t
		return nil
	}
	msg, link, p := s.verifySigned(r, []string{"oauth_token"}, lookup)
	consumer := ""
	if msg != nil {
		consumer = msg.Value("oauth_consumer_key")
	}
	if p != nil {
		return nil, p, consumer
	}
	if acc != nil {
		u := s.users[acc.user]
		if u == nil {
			return nil, oauth1sp.NewProblem("token_rejected"), consumer
		}
		return &srvPrincipal{user: u, kind: "3lo", client: link.ConsumerKey, level: permAdmin}, nil, consumer
	}
	if !link.Allow2LO {
		return nil, oauth1sp.NewProblem("permission_denied", "oauth_problem_advice", "2-legged OAuth is not enabled for this consumer"), consumer
	}
	if who, ok := msg.Get("xoauth_requestor_id"); ok {
		if !link.AllowImpersonation {
			return nil, oauth1sp.NewProblem("permission_denied", "oauth_problem_advice", "user impersonation is not enabled for this consumer"), consumer
		}
		u := s.userByName(who)
		if u == nil {
			return nil, oauth1sp.NewProblem("permission_denied", "oauth_problem_advice", "unknown user in xoauth_requestor_id"), consumer
		}
		return &srvPrincipal{user: u, kind: "2loi", client: link.ConsumerKey, level: permAdmin}, nil, consumer
	}
	u := s.users[link.ExecuteAs]
	if u == nil {
		return nil, nil, consumer // no execute-as user: the request runs anonymously
	}
	return &srvPrincipal{user: u, kind: "2lo", client: link.ConsumerKey, level: permAdmin}, nil, consumer
}

// userByName finds a user by slug or by name (case-insensitive).
func (s *State) userByName(name string) *srvUser {
	if u := s.users[name]; u != nil {
		return u
	}
	for _, u := range s.users {
		if strings.EqualFold(u.Name, name) || strings.EqualFold(u.Slug, name) {
			return u
		}
	}
	return nil
}
