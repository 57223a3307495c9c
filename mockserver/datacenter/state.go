// Package datacenter is bitbucket-mock's Bitbucket Server / Data Center
// (Server answers the same): under a context path, OAuth 1.0a application
// links (3-legged, 2-legged, impersonation; the RFC 5849 checks are
// mockserver/internal/oauth1sp's), DC as an OAuth 2 provider with PKCE,
// personal HTTP access tokens, the REST resources credential helpers read,
// consent pages and git over smart HTTP. It runs over the shared core
// (mockserver/internal/core); mockserver.New puts it together with
// mockserver/cloud.
package datacenter

// This file: fixtures indexed, issued credentials, and the routing under
// the context path.

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/oauth1sp"
)

// Lifetimes on the mock clock (docs/bitbucket-behaviour.md#dc-oauth1-wire, docs/bitbucket-behaviour.md#dc-oauth2, docs/bitbucket-behaviour.md#dc-access-tokens).
const (
	o1Window             = 5 * time.Minute                    // accepted oauth_timestamp skew, either side (UNCONFIRMED for DC)
	o1RequestTokenTTL    = 10 * time.Minute                   // request tokens
	o1AccessTokenTTL     = 5 * 365 * 24 * time.Hour           // access tokens: 5 years
	o1SessionTTL         = o1AccessTokenTTL + 30*24*time.Hour // session (oauth_authorization_expires_in)
	dcAccessTokenTTL     = 3600 * time.Second                 // DC OAuth 2 access tokens
	dcRefreshTokenTTL    = 90 * 24 * time.Hour                // DC OAuth 2 refresh tokens
	dcCodeTTL            = 10 * time.Minute                   // DC OAuth 2 authorization codes (UNCONFIRMED)
	maxHTTPTokensPerUser = 100                                // DC's default per-user limit (UNCONFIRMED)
)

// Permission levels, ordered.
const (
	permNone = iota
	permRead
	permWrite
	permAdmin
)

// srvUser is a fixture user with the numeric id DC shows.
type srvUser struct {
	User
	id int
}

// srvLink is an application link with its parsed public key.
type srvLink struct {
	ApplicationLink
	pub *rsa.PublicKey
}

// srvProject is a fixture project with parsed permissions.
type srvProject struct {
	key    string
	name   string
	id     int
	public bool
	perms  map[string]int // user slug -> level
}

// srvRepo is one repository of a project.
type srvRepo struct {
	project *srvProject
	slug    string
	id      int
}

// State is everything the Server/DC side remembers: fixtures by key
// and the credentials it issued. mu guards every map below it.
type State struct {
	m           *core.Core
	f           Fixtures
	ctx         string // context path: "" or "/name"
	autoApprove bool
	users       map[string]*srvUser // by slug
	links       map[string]*srvLink
	clients     map[string]*OAuth2Client
	projects    map[string]*srvProject // by upper-case key
	repos       map[string]*srvRepo    // by "KEY/slug"
	mux         *http.ServeMux

	mu         sync.Mutex
	reqTokens  map[string]*o1RequestToken
	accTokens  map[string]*o1AccessToken
	nonces     map[string]int64 // consumer&timestamp&nonce -> timestamp
	dcCodes    map[string]*dcCode
	dcAccess   map[string]*dcAccessToken
	dcRefresh  map[string]*dcRefreshToken
	httpTokens map[string]*httpToken // by token value
	requests   int
}

func New(m *core.Core, f Fixtures, contextPath string, autoApprove bool) (*State, error) {
	s := &State{
		m:           m,
		f:           f,
		ctx:         core.NormalizeContextPath(contextPath),
		autoApprove: autoApprove || f.AutoApprove,
		users:       map[string]*srvUser{},
		links:       map[string]*srvLink{},
		clients:     map[string]*OAuth2Client{},
		projects:    map[string]*srvProject{},
		repos:       map[string]*srvRepo{},
		reqTokens:   map[string]*o1RequestToken{},
		accTokens:   map[string]*o1AccessToken{},
		nonces:      map[string]int64{},
		dcCodes:     map[string]*dcCode{},
		dcAccess:    map[string]*dcAccessToken{},
		dcRefresh:   map[string]*dcRefreshToken{},
		httpTokens:  map[string]*httpToken{},
	}
	for i, u := range f.Users {
		if u.Slug == "" {
			return nil, fmt.Errorf("user %d has no slug", i)
		}
		if u.Name == "" {
			u.Name = u.Slug
		}
		if u.DisplayName == "" {
			u.DisplayName = u.Name
		}
		if u.Email == "" {
			u.Email = u.Slug + "@example.invalid"
		}
		s.users[u.Slug] = &srvUser{User: u, id: 101 + i}
	}
	for _, l := range f.ApplicationLinks {
		pub, err := oauth1sp.ParseRSAPublicKey(l.PublicKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("application link %q: %w", l.ConsumerKey, err)
		}
		if l.ExecuteAs != "" && s.users[l.ExecuteAs] == nil {
			return nil, fmt.Errorf("application link %q: execute_as %q is not a user", l.ConsumerKey, l.ExecuteAs)
		}
		s.links[l.ConsumerKey] = &srvLink{ApplicationLink: l, pub: pub}
	}
	for i := range f.OAuth2Clients {
		c := f.OAuth2Clients[i]
		for _, sc := range c.Scopes {
			if !dcKnownScope(sc) {
				return nil, fmt.Errorf("oauth2 client %q: unknown scope %q", c.ClientID, sc)
			}
		}
		s.clients[c.ClientID] = &c
	}
	repoID := 1
	for i, p := range f.Projects {
		key := strings.ToUpper(p.Key)
		if key == "" {
			return nil, fmt.Errorf("project %d has no key", i)
		}
		sp := &srvProject{key: key, name: key, id: i + 1, public: p.Public, perms: map[string]int{}}
		for slug, perm := range p.Permissions {
			lvl, ok := projectPermLevel(perm)
			if !ok {
				return nil, fmt.Errorf("project %s: user %s: unknown permission %q", key, slug, perm)
			}
			sp.perms[slug] = lvl
		}
		s.projects[key] = sp
		for _, slug := range p.Repositories {
			rp := &srvRepo{project: sp, slug: slug, id: repoID}
			repoID++
			s.repos[key+"/"+slug] = rp
			if err := m.EnsureRepo(s.repoDir(rp)); err != nil {
				return nil, err
			}
		}
	}
	if s.f.SessionUser == "" && len(f.Users) > 0 {
		s.f.SessionUser = f.Users[0].Slug
	}
	s.mux = s.routes()
	return s, nil
}

func projectPermLevel(p string) (int, bool) {
	switch p {
	case "PROJECT_READ":
		return permRead, true
	case "PROJECT_WRITE":
		return permWrite, true
	case "PROJECT_ADMIN":
		return permAdmin, true
	}
	return permNone, false
}

// repoDir is where the bare repository of rp lives.
func (s *State) repoDir(rp *srvRepo) string {
	return filepath.Join(s.m.ReposDir(), "server", strings.ToLower(rp.project.key), rp.slug+".git")
}

// routes maps every Server/DC endpoint (full paths, context path included).
func (s *State) routes() *http.ServeMux {
	mux := http.NewServeMux()
	c := s.ctx
	mux.HandleFunc("POST "+c+"/plugins/servlet/oauth/request-token", s.handleRequestToken)
	mux.HandleFunc("GET "+c+"/plugins/servlet/oauth/request-token", s.handleRequestToken)
	mux.HandleFunc("GET "+c+"/plugins/servlet/oauth/authorize", s.handleO1Authorize)
	mux.HandleFunc("POST "+c+"/plugins/servlet/oauth/authorize", s.handleO1Authorize)
	mux.HandleFunc("POST "+c+"/plugins/servlet/oauth/access-token", s.handleAccessToken)
	mux.HandleFunc("GET "+c+"/plugins/servlet/oauth/access-token", s.handleAccessToken)

	mux.HandleFunc("GET "+c+"/rest/oauth2/latest/authorize", s.handleDCAuthorize)
	mux.HandleFunc("POST "+c+"/rest/oauth2/latest/authorize", s.handleDCAuthorize)
	mux.HandleFunc("POST "+c+"/rest/oauth2/latest/token", s.handleDCToken)
	mux.HandleFunc("GET "+c+"/rest/oauth2/1.0/client", s.handleOAuth2Clients)
	mux.HandleFunc("GET "+c+"/rest/authconfig/1.0/login-options", s.handleLoginOptions)

	mux.HandleFunc("GET "+c+"/rest/api/{ver}/application-properties", s.handleAppProperties)
	mux.HandleFunc("GET "+c+"/rest/api/{ver}/users", s.handleUsers)
	mux.HandleFunc("GET "+c+"/rest/api/{ver}/users/{slug}", s.handleUser)
	mux.HandleFunc("GET "+c+"/rest/api/{ver}/projects/{key}/repos/{slug}", s.handleRepo)
	mux.HandleFunc("GET "+c+"/rest/api/{ver}/profile/recent/repos", s.handleRecentRepos)

	mux.HandleFunc("PUT "+c+"/rest/access-tokens/{ver}/users/{slug}", s.handleCreateHTTPToken)
	mux.HandleFunc("GET "+c+"/rest/access-tokens/{ver}/users/{slug}", s.handleListHTTPTokens)
	mux.HandleFunc("GET "+c+"/rest/access-tokens/{ver}/users/{slug}/{id}", s.handleGetHTTPToken)
	mux.HandleFunc("DELETE "+c+"/rest/access-tokens/{ver}/users/{slug}/{id}", s.handleDeleteHTTPToken)

	mux.HandleFunc(c+"/scm/{project}/{repo}/{rest...}", s.handleGit)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		srvError(w, http.StatusNotFound, "Resource not found: "+r.URL.Path, "com.atlassian.bitbucket.rest.NotFoundException")
	})
	return mux
}

// handler serves every Server/DC request (full path, context path included).
// Every response carries X-AREQUESTID (docs/bitbucket-behaviour.md#dc-git).
func (s *State) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-AREQUESTID", s.requestID())
		s.mux.ServeHTTP(w, r)
	})
}

// requestID looks like DC's X-AREQUESTID values ("@1AB2CDx1082x6x0").
func (s *State) requestID() string {
	s.mu.Lock()
	s.requests++
	n := s.requests
	s.mu.Unlock()
	now := s.m.Now()
	return fmt.Sprintf("@%sx%dx%dx0", strings.ToUpper(srvRandomAlnum(6)), now.Hour()*60+now.Minute(), n)
}

// baseURL is the application's base URL as the client addresses it:
// scheme and host of the request, plus the context path.
func (s *State) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.ctx
}

// realm is the OAuth realm: the normalized base URL (docs/bitbucket-behaviour.md#oauth1-realm).
func (s *State) realm(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + oauth1sp.NormalizeHost(scheme, r.Host) + s.ctx
}

// revoke removes one issued credential of any kind: an OAuth 1 request or
// access token, a DC OAuth 2 access or refresh token, an HTTP access token
// (by value or by id).
func (s *State) Revoke(token string) bool {
	if token == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	if _, ok := s.reqTokens[token]; ok {
		delete(s.reqTokens, token)
		found = true
	}
	if _, ok := s.accTokens[token]; ok {
		delete(s.accTokens, token)
		found = true
	}
	if _, ok := s.dcAccess[token]; ok {
		delete(s.dcAccess, token)
		found = true
	}
	if _, ok := s.dcRefresh[token]; ok {
		delete(s.dcRefresh, token)
		found = true
	}
	for v, t := range s.httpTokens {
		if v == token || t.id == token {
			delete(s.httpTokens, v)
			found = true
		}
	}
	return found
}

// revokeAll removes every issued credential (nonces stay: they are not
// credentials).
func (s *State) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqTokens = map[string]*o1RequestToken{}
	s.accTokens = map[string]*o1AccessToken{}
	s.dcCodes = map[string]*dcCode{}
	s.dcAccess = map[string]*dcAccessToken{}
	s.dcRefresh = map[string]*dcRefreshToken{}
	s.httpTokens = map[string]*httpToken{}
}

// HasUser reports whether the fixtures have a user of that name (a nil
// State has none).
func (s *State) HasUser(name string) bool { return s != nil && s.users[name] != nil }
