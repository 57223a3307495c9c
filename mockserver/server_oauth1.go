package mockserver

// OAuth 1.0a application links (docs/bitbucket-behaviour.md#dc-oauth1): the checks every signed request
// passes, in net.oauth's order, and the three legs' use of them.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
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

// o1Required are the parameters every signed request carries.
var o1Required = []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"}

// verifySigned runs the checks common to every signed request, in the
// order net.oauth's servlets and SimpleOAuthValidator do: parameters
// present, consumer known, token (through lookup, may be nil), version,
// timestamp, nonce, signature method, signature.
func (s *serverState) verifySigned(r *http.Request, extra []string, lookup func(*oauth1Message, *srvLink) *oauthProblem) (*oauth1Message, *srvLink, *oauthProblem) {
	msg, p := parseOAuth1Message(r)
	if p != nil {
		return nil, nil, p
	}
	var absent []string
	for _, name := range append(append([]string{}, o1Required...), extra...) {
		if _, ok := msg.get(name); !ok {
			absent = append(absent, name)
		}
	}
	if len(absent) > 0 {
		// net.oauth joins the names with '&' (OAuth.percentEncode of a list).
		return msg, nil, problem("parameter_absent", "oauth_parameters_absent", strings.Join(absent, "&"))
	}
	link := s.links[msg.value("oauth_consumer_key")]
	if link == nil {
		return msg, nil, problem("consumer_key_unknown")
	}
	if lookup != nil {
		if p := lookup(msg, link); p != nil {
			return msg, link, p
		}
	}
	if v, ok := msg.get("oauth_version"); ok && v != "1.0" {
		return msg, link, problem("version_rejected", "oauth_acceptable_versions", "1.0-1.0")
	}
	if p := s.checkTimestampAndNonce(msg); p != nil {
		return msg, link, p
	}
	if msg.value("oauth_signature_method") != "RSA-SHA1" {
		return msg, link, problem("signature_method_rejected", "oauth_problem_advice", "application links accept RSA-SHA1 only")
	}
	base := msg.signatureBaseString()
	if err := verifyRSASHA1(link.pub, base, msg.signature); err != nil {
		// net.oauth would add oauth_signature_base_string; it carries the
		// token, so the advice says where to look instead.
		return msg, link, problem("signature_invalid", "oauth_problem_advice",
			"the signature does not verify with the application link's public key: check the base URL (scheme, host, port, context path), the method and the parameters")
	}
	return msg, link, nil
}

// checkTimestampAndNonce enforces the ±o1Window timestamp window on the mock
// clock and refuses a consumer+timestamp+nonce seen before. Nonces older
// than the window are forgotten by the sweep (server_sweep.go): their
// timestamps are refused anyway.
func (s *serverState) checkTimestampAndNonce(msg *oauth1Message) *oauthProblem {
	ts, err := strconv.ParseInt(msg.value("oauth_timestamp"), 10, 64)
	if err != nil {
		return problem("parameter_rejected", "oauth_parameters_rejected", "oauth_timestamp")
	}
	now := s.m.Now()
	lo, hi := now.Add(-o1Window).Unix(), now.Add(o1Window).Unix()
	if ts < lo || ts > hi {
		return problem("timestamp_refused", "oauth_acceptable_timestamps", strconv.FormatInt(lo, 10)+"-"+strconv.FormatInt(hi, 10))
	}
	key := msg.value("oauth_consumer_key") + "&" + strconv.FormatInt(ts, 10) + "&" + msg.value("oauth_nonce")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, used := s.nonces[key]; used {
		return problem("nonce_used")
	}
	s.nonces[key] = ts
	return nil
}

// writeO1Problem answers with the problem and logs the leg.
func (s *serverState) writeO1Problem(w http.ResponseWriter, r *http.Request, leg string, msg *oauth1Message, p *oauthProblem) {
	consumer := ""
	if msg != nil {
		consumer = msg.value("oauth_consumer_key")
	}
	core.Annotate(r, leg, consumer, "")
	writeOAuthProblem(w, s.realm(r), p)
}

// writeOAuthForm answers a token leg: text/plain, OAuth form encoding (docs/bitbucket-behaviour.md#dc-oauth1-wire).
func writeOAuthForm(w http.ResponseWriter, params []oauthParam) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(encodeOAuthForm(params)))
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
func (s *serverState) handleRequestToken(w http.ResponseWriter, r *http.Request) {
	msg, link, p := s.verifySigned(r, []string{"oauth_callback"}, nil)
	if p == nil && !validCallback(msg.value("oauth_callback")) {
		p = problem("parameter_rejected", "oauth_parameters_rejected", "oauth_callback",
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
		callback: msg.value("oauth_callback"),
		expires:  s.m.Now().Add(o1RequestTokenTTL),
	}
	s.mu.Lock()
	s.reqTokens[t.token] = t
	s.mu.Unlock()
	core.Annotate(r, "request-token", link.ConsumerKey, "")
	writeOAuthForm(w, []oauthParam{
		{"oauth_token", t.token},
		{"oauth_token_secret", t.secret},
		{"oauth_callback_confirmed", "true"},
	})
}

// handleAccessToken is POST {base}/plugins/servlet/oauth/access-token: a
// request token plus verifier becomes an access token (RFC 5849 §2.3), or
// an access token plus oauth_session_handle is renewed (Atlassian's
// session extension, docs/bitbucket-behaviour.md#dc-oauth1-wire).
func (s *serverState) handleAccessToken(w http.ResponseWriter, r *http.Request) {
	var req *o1RequestToken
	var renew *o1AccessToken
	lookup := func(msg *oauth1Message, link *srvLink) *oauthProblem {
		tok := msg.value("oauth_token")
		now := s.m.Now()
		s.mu.Lock()
		defer s.mu.Unlock()
		if t := s.reqTokens[tok]; t != nil && tok != "" {
			if t.consumer != link.ConsumerKey {
				return problem("token_rejected")
			}
			if !now.Before(t.expires) {
				return problem("token_expired")
			}
			req = t
			return nil
		}
		if t := s.accTokens[tok]; t != nil && tok != "" && msg.value("oauth_session_handle") != "" {
			if t.consumer != link.ConsumerKey || t.sessionHandle != msg.value("oauth_session_handle") {
				return problem("token_rejected")
			}
			if !now.Before(t.sessionExpires) {
				return problem("permission_denied", "oauth_problem_advice", "the session has expired")
			}
			renew = t
			return nil
		}
		return problem("token_rejected")
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
			p = problem("token_rejected")
			break
		}
		delete(s.accTokens, renew.token)
		user = renew.user
	case s.reqTokens[req.token] != req:
		p = problem("token_rejected") // exchanged meanwhile
	case req.state == o1Pending:
		p = problem("permission_unknown")
	case req.state == o1Denied:
		p = problem("permission_denied")
	default:
		v, ok := msg.get("oauth_verifier")
		if !ok {
			p = problem("parameter_absent", "oauth_parameters_absent", "oauth_verifier")
		} else if v != req.verifier {
			p = problem("token_rejected")
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
	writeOAuthForm(w, []oauthParam{
		{"oauth_token", t.token},
		{"oauth_token_secret", t.secret},
		{"oauth_expires_in", strconv.FormatInt(int64(o1AccessTokenTTL/time.Second), 10)},
		{"oauth_session_handle", t.sessionHandle},
		{"oauth_authorization_expires_in", strconv.FormatInt(int64(o1SessionTTL/time.Second), 10)},
	})
}

// authenticateOAuth1 verifies a signed request for a protected resource
// (docs/bitbucket-behaviour.md#dc-oauth1-wire): 3-legged with an access token, 2-legged with oauth_token
// present and empty (as the link's execute-as user), 2-legged with
// impersonation (xoauth_requestor_id).
func (s *serverState) authenticateOAuth1(r *http.Request) (*srvPrincipal, *oauthProblem, string) {
	var acc *o1AccessToken
	lookup := func(msg *oauth1Message, link *srvLink) *oauthProblem {
		tok := msg.value("oauth_token")
		if tok == "" {
			return nil // 2-legged: decided after the signature
		}
		s.mu.Lock()
		t := s.accTokens[tok]
		s.mu.Unlock()
		if t == nil || t.consumer != link.ConsumerKey {
			// Unknown, a request token, revoked (Atlassian deletes revoked
			// tokens), or another link's.
			return problem("token_rejected")
		}
		if !s.m.Now().Before(t.expires) {
			return problem("token_expired")
		}
		acc = t
		return nil
	}
	msg, link, p := s.verifySigned(r, []string{"oauth_token"}, lookup)
	consumer := ""
	if msg != nil {
		consumer = msg.value("oauth_consumer_key")
	}
	if p != nil {
		return nil, p, consumer
	}
	if acc != nil {
		u := s.users[acc.user]
		if u == nil {
			return nil, problem("token_rejected"), consumer
		}
		return &srvPrincipal{user: u, kind: "3lo", client: link.ConsumerKey, level: permAdmin}, nil, consumer
	}
	if !link.Allow2LO {
		return nil, problem("permission_denied", "oauth_problem_advice", "2-legged OAuth is not enabled for this consumer"), consumer
	}
	if who, ok := msg.get("xoauth_requestor_id"); ok {
		if !link.AllowImpersonation {
			return nil, problem("permission_denied", "oauth_problem_advice", "user impersonation is not enabled for this consumer"), consumer
		}
		u := s.userByName(who)
		if u == nil {
			return nil, problem("permission_denied", "oauth_problem_advice", "unknown user in xoauth_requestor_id"), consumer
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
func (s *serverState) userByName(name string) *srvUser {
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
