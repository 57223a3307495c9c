package datacenter

// Who is calling: every credential DC accepts on REST and git, and what
// each one may do.

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/oauth1sp"
)

// srvPrincipal is an authenticated caller.
type srvPrincipal struct {
	user       *srvUser
	kind       string // password, 3lo, 2lo, 2loi, oauth2, http-token
	client     string // consumer key or OAuth 2 client id
	level      int    // highest repository permission the credential itself allows
	publicOnly bool   // DC OAuth 2 token with PUBLIC_REPOS and no repository scope
	scopes     []string
	token      *httpToken // kind http-token
}

// srvAuthFailure is why presented credentials were refused.
type srvAuthFailure struct {
	oauth   *oauth1sp.Problem // OAuth 1: answered with oauth_problem
	client  string
	bearer  bool // an unusable Bearer token: DC ignores it on public resources when anonymous access is on (docs/bitbucket-behaviour.md#dc-anonymous-access)
	message string
}

const msgAuthFailed = "Authentication failed. Please check your credentials and try again."

// authenticate identifies r's caller. (nil, nil) is an anonymous request.
func (s *State) authenticate(r *http.Request) (*srvPrincipal, *srvAuthFailure) {
	if oauth1sp.IsRequest(r) {
		if lacksOAuthToken(r) {
			return nil, nil
		}
		p, prob, consumer := s.authenticateOAuth1(r)
		if prob != nil {
			return nil, &srvAuthFailure{oauth: prob, client: consumer}
		}
		return p, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	if _, ok := oauth1sp.AuthScheme(h, "Basic"); ok {
		name, pass, ok := r.BasicAuth()
		if !ok {
			return nil, &srvAuthFailure{message: msgAuthFailed}
		}
		return s.basicPrincipal(name, pass)
	}
	if rest, ok := oauth1sp.AuthScheme(h, "Bearer"); ok {
		p, why := s.tokenPrincipal(strings.TrimSpace(rest), "")
		if p == nil {
			return nil, &srvAuthFailure{bearer: true, message: why}
		}
		return p, nil
	}
	return nil, &srvAuthFailure{message: msgAuthFailed}
}

// lacksOAuthToken reports whether a signed request has no oauth_token
// parameter at all (oauthlib's default for 2-legged requests). Atlassian's
// OAuthRequestUtils (docs/bitbucket-behaviour.md#dc-oauth1-wire, docs/bitbucket-behaviour.md#source-50 CODE) counts a request as an OAuth
// access attempt only when all of oauth_consumer_key, oauth_token,
// oauth_signature_method, oauth_signature, oauth_timestamp and oauth_nonce
// are present (2LO: oauth_token empty); without oauth_token its OAuth filter
// does not touch the request, which then runs anonymously. So does it here
// (issue 11; it was parameter_absent). The other five missing still get
// parameter_absent: by the same source they would be anonymous too, a
// strictness we keep because it names the client's bug (listed in README).
func lacksOAuthToken(r *http.Request) bool {
	msg, p := oauth1sp.Parse(r)
	if p != nil {
		return false // malformed: let the OAuth checks say so
	}
	_, ok := msg.Get("oauth_token")
	return !ok
}

// basicPrincipal accepts a fixture password, a personal HTTP access token
// with its owner's name, or a DC OAuth 2 access token with any name (GCM
// sends a placeholder username, docs/bitbucket-behaviour.md#dc-oauth2).
func (s *State) basicPrincipal(name, pass string) (*srvPrincipal, *srvAuthFailure) {
	if u := s.userByName(name); u != nil && u.Password != "" && pass == u.Password {
		return &srvPrincipal{user: u, kind: "password", level: permAdmin}, nil
	}
	p, why := s.tokenPrincipal(pass, name)
	if p == nil {
		return nil, &srvAuthFailure{message: why}
	}
	return p, nil
}

// tokenPrincipal resolves an HTTP access token or a DC OAuth 2 access
// token. basicName is the Basic username ("" for Bearer): an HTTP access
// token needs its owner's name there. On failure it says why.
func (s *State) tokenPrincipal(tok, basicName string) (*srvPrincipal, string) {
	if tok == "" {
		return nil, msgAuthFailed
	}
	now := s.m.Now()
	s.mu.Lock()
	ht := s.httpTokens[tok]
	at := s.dcAccess[tok]
	s.mu.Unlock()
	switch {
	case ht != nil:
		u := s.users[ht.user]
		if u == nil {
			return nil, msgAuthFailed
		}
		if basicName != "" && !strings.EqualFold(basicName, u.Name) && !strings.EqualFold(basicName, u.Slug) {
			return nil, msgAuthFailed
		}
		if ht.expired(now) {
			return nil, "The access token has expired."
		}
		return &srvPrincipal{user: u, kind: "http-token", level: httpTokenLevel(ht.permissions), token: ht}, ""
	case at != nil:
		u := s.users[at.user]
		if u == nil {
			return nil, msgAuthFailed
		}
		if !now.Before(at.expires) {
			return nil, "The OAuth access token has expired."
		}
		lvl, publicOnly := dcScopeLevel(at.scopes)
		return &srvPrincipal{user: u, kind: "oauth2", client: at.client, level: lvl, publicOnly: publicOnly, scopes: at.scopes}, ""
	}
	return nil, msgAuthFailed
}

// repoLevel is what p may do on rp: the user's project permission
// (admins: everything; public projects: read), capped by the credential.
// Anonymous callers read public projects when anonymous access is on.
func (s *State) repoLevel(p *srvPrincipal, rp *srvRepo) int {
	if p == nil || p.user == nil {
		if s.f.AnonymousAccess && rp.project.public {
			return permRead
		}
		return permNone
	}
	lvl := rp.project.perms[p.user.Slug]
	if p.user.Admin {
		lvl = permAdmin
	}
	if rp.project.public && lvl < permRead {
		lvl = permRead
	}
	if p.publicOnly && !rp.project.public {
		return permNone
	}
	return min(lvl, p.level)
}

// setIdentity adds DC's identity headers and notes the caller for the log.
func (s *State) setIdentity(w http.ResponseWriter, r *http.Request, p *srvPrincipal) {
	w.Header().Set("Vary", "X-AUSERNAME,Accept-Encoding")
	if p == nil {
		return
	}
	user := ""
	if p.user != nil {
		user = p.user.Slug
		w.Header().Set("X-AUSERNAME", p.user.Name)
		w.Header().Set("X-AUSERID", strconv.Itoa(p.user.id))
	}
	core.Annotate(r, p.kind, p.client, user)
}

// writeAuthFailure answers refused credentials on REST: an OAuth 1 problem,
// or DC's 401 envelope.
func (s *State) writeAuthFailure(w http.ResponseWriter, r *http.Request, f *srvAuthFailure) {
	if f.oauth != nil {
		core.Annotate(r, "oauth1", f.client, "")
		oauth1sp.WriteProblem(w, s.realm(r), f.oauth)
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Atlassian Bitbucket"`)
	srvError(w, http.StatusUnauthorized, f.message, excIncorrectPassword)
}

// writeNotPermitted is DC's 401 for a caller (anonymous or not) lacking
// permission.
func writeNotPermitted(w http.ResponseWriter, msg string) {
	if msg == "" {
		msg = "You are not permitted to access this resource"
	}
	srvError(w, http.StatusUnauthorized, msg, excAuthorisation)
}

// restCaller authenticates a REST request. anonymousOK says whether the
// resource would be served to an anonymous caller; then an unusable Bearer
// token is ignored as DC does with anonymous access on (docs/bitbucket-behaviour.md#dc-anonymous-access). It
// answers and returns false when the request must stop.
func (s *State) restCaller(w http.ResponseWriter, r *http.Request, anonymousOK bool) (*srvPrincipal, bool) {
	p, fail := s.authenticate(r)
	if fail != nil {
		if fail.bearer && anonymousOK && s.f.AnonymousAccess {
			s.setIdentity(w, r, nil)
			return nil, true
		}
		s.writeAuthFailure(w, r, fail)
		return nil, false
	}
	s.setIdentity(w, r, p)
	if p == nil && !anonymousOK {
		writeNotPermitted(w, "")
		return nil, false
	}
	return p, true
}
