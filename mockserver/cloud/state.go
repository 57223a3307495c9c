// Package cloud is bitbucket-mock's Bitbucket Cloud (bitbucket.org and
// api.bitbucket.org on one origin): OAuth 2 consumers (authorization code,
// client credentials, refresh, the Connect JWT grant) in its 2026 and 2025
// eras, static API and access tokens, the REST resources credential
// helpers read, and git over smart HTTP. It runs over the shared core
// (mockserver/internal/core); mockserver.New puts it together with
// mockserver/datacenter.
package cloud

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// State is everything the Cloud side remembers: fixtures by key and
// the codes and tokens it issued. One mutex guards the maps.
type State struct {
	m         *core.Core
	f         Fixtures
	consumers map[string]*Consumer
	apps      map[string]*ConnectApp // by app key (the JWT's iss)
	users     map[string]*User
	repos     map[string]*Repository // by "workspace/slug"

	era         string // Era2026 or Era2025 (era.go)
	autoApprove bool   // Options.AutoApprove or the fixtures' auto_approve

	mu      sync.Mutex
	codes   map[string]*authCode
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	grants  map[int]*grant
	nextID  int
	policy  refreshPolicy                       // era 2026 refresh policy (era.go)
	locked  map[string]time.Time                // era 2026: consumer key -> end of its refresh lockout
	spent   map[[sha256.Size]byte]*refreshToken // era 2026: swept spent refresh tokens (sweep.go)
	static  map[string]*accessToken             // fixture API and access tokens (apitokens.go)
}

// grant is one authorization: every token issued from it (and from its
// refreshes) belongs to it, and revoking it revokes them all.
type grant struct {
	id      int
	revoked bool
}

// authCode is an authorization code waiting for the token endpoint.
type authCode struct {
	client      string
	user        string
	redirectURI string // as sent to /authorize ("" when omitted)
	scopes      []string
	expires     time.Time
	used        bool
	challenge   string // PKCE code_challenge
	method      string // plain or S256
	grant       *grant // set once exchanged
}

// accessToken is an issued OAuth 2 access token.
type accessToken struct {
	client  string // consumer key or Connect app key
	user    string // username, or the workspace a Connect app acts for
	scopes  []string
	expires time.Time
	grant   *grant
	kind    string // grant type that issued it
	repo    string // Connect bitbucket_repository restriction: "workspace/slug" or ""
	connect bool
	appUser string      // era 2026 client credentials: the workspace the app user may reach (docs/bitbucket-behaviour.md#cloud-2026)
	static  string      // staticAPIToken or staticAccessToken for fixture tokens (apitokens.go), else ""
	email   string      // API tokens: the Atlassian e-mail REST wants
	reach   AccessToken // access tokens: what they were created for
}

// refreshToken is an issued refresh token. Its life is decided by the
// timestamps alone (refresh.go), so a store may drop a record once
// refreshDeadAt says it is dead.
type refreshToken struct {
	client   string
	user     string
	scopes   []string
	grant    *grant
	expires  time.Time // era 2025 rotate: absolute end (90 days); zero = never
	usedAt   time.Time // first use; zero = not yet used (the rotation grace starts here)
	issued   time.Time
	lastUsed time.Time // issue time or last successful use (era 2026 idle death counts from here)
}

func New(m *core.Core, f Fixtures, autoApprove bool) (*State, error) {
	era, err := cloudEraOf(f)
	if err != nil {
		return nil, err
	}
	policy, err := refreshPolicyOf(f)
	if err != nil {
		return nil, err
	}
	s := &State{
		m:           m,
		era:         era,
		autoApprove: autoApprove || f.AutoApprove,
		policy:      policy,
		locked:      map[string]time.Time{},
		f:           f,
		consumers:   map[string]*Consumer{},
		apps:        map[string]*ConnectApp{},
		users:       map[string]*User{},
		repos:       map[string]*Repository{},
		codes:       map[string]*authCode{},
		access:      map[string]*accessToken{},
		refresh:     map[string]*refreshToken{},
		grants:      map[int]*grant{},
		static:      map[string]*accessToken{},
	}
	for i := range f.Consumers {
		c := &f.Consumers[i]
		if c.Key == "" {
			return nil, fmt.Errorf("consumer %d has no key", i)
		}
		switch c.RefreshRotation {
		case "", "none", "rotate":
		default:
			return nil, fmt.Errorf("consumer %s: refresh_rotation %q is not none or rotate", c.Key, c.RefreshRotation)
		}
		if c.RotationGrace != "" {
			if _, err := time.ParseDuration(c.RotationGrace); err != nil {
				return nil, fmt.Errorf("consumer %s: rotation_grace: %w", c.Key, err)
			}
		}
		s.consumers[c.Key] = c
	}
	for i := range f.ConnectApps {
		a := &f.ConnectApps[i]
		if a.Key == "" || a.ClientKey == "" || a.SharedSecret == "" {
			return nil, fmt.Errorf("connect app %d needs key, client_key and shared_secret", i)
		}
		s.apps[a.Key] = a
	}
	for i := range f.Users {
		u := &f.Users[i]
		s.users[u.Username] = u
	}
	for i := range f.Repositories {
		r := &f.Repositories[i]
		if r.Workspace == "" || r.Slug == "" {
			return nil, fmt.Errorf("repository %d needs workspace and slug", i)
		}
		s.repos[r.Workspace+"/"+r.Slug] = r
		if err := m.EnsureRepo(s.repoDir(r)); err != nil {
			return nil, err
		}
	}
	if err := s.installStaticTokens(f); err != nil {
		return nil, err
	}
	return s, nil
}

// repoDir is where the bare repository of r lives.
func (s *State) repoDir(r *Repository) string {
	return filepath.Join(s.m.ReposDir(), "cloud", r.Workspace, r.Slug+".git")
}

// handler routes the Cloud side: OAuth 2 under /site/oauth2/, REST under
// /2.0/ (api.bitbucket.org) and /!api/2.0/ (bitbucket.org), git under
// /{workspace}/{slug}.git/.
func (s *State) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/site/oauth2/authorize":
			s.handleAuthorize(w, r)
		case p == "/site/oauth2/access_token":
			s.handleToken(w, r)
		case strings.HasPrefix(p, "/2.0/"):
			s.handleREST(w, r, "", strings.TrimPrefix(p, "/2.0"))
		case strings.HasPrefix(p, "/!api/2.0/"):
			s.handleREST(w, r, "/!api", strings.TrimPrefix(p, "/!api/2.0"))
		default:
			if ws, slug, rest, ok := splitGitPath(p); ok {
				s.handleGit(w, r, ws, slug, rest)
				return
			}
			http.NotFound(w, r)
		}
	})
}

// revoke revokes the whole grant token belongs to (access or refresh token).
func (s *State) Revoke(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.access[token]; ok {
		t.grant.revoked = true
		return true
	}
	if t, ok := s.static[token]; ok {
		t.grant.revoked = true
		return true
	}
	if t, ok := s.lookupRefreshLocked(token); ok {
		t.grant.revoked = true
		return true
	}
	return false
}

// revokeAll revokes every grant issued so far.
func (s *State) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.grants {
		g.revoked = true
	}
	for _, t := range s.static {
		t.grant.revoked = true
	}
}

// HasUser reports whether the fixtures have a user of that name (a nil
// State has none).
func (s *State) HasUser(name string) bool { return s != nil && s.users[name] != nil }
