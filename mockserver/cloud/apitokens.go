package cloud

// Static Cloud credentials (docs/bitbucket-behaviour.md#cloud-api-tokens,
// docs/bitbucket-behaviour.md#cloud-access-tokens): Atlassian API tokens and
// repository, project and workspace access tokens. They are created in
// Bitbucket's UI, never through an API the mock imitates, so they come from
// the fixtures, with an expiry counted on the mock clock from the start (or
// the last reset).

import (
	"fmt"
	"slices"
	"time"
)

// APIToken is an Atlassian API token (docs/bitbucket-behaviour.md#cloud-api-tokens): git takes it with
// the Bitbucket username or x-bitbucket-api-token-auth, REST only with the
// Atlassian account e-mail.
type APIToken struct {
	User      string   `json:"user"`  // Bitbucket username of the owner
	Email     string   `json:"email"` // Atlassian account e-mail (REST username)
	Token     string   `json:"token"`
	Scopes    []string `json:"scopes"`               // API-token scopes, e.g. read:repository:bitbucket
	ExpiresIn string   `json:"expires_in,omitempty"` // Go duration from start or reset; "" = no expiry
}

// AccessToken is a repository, project or workspace access token
// (docs/bitbucket-behaviour.md#cloud-access-tokens): git with x-token-auth, REST with Bearer; it acts as its own
// user, named Name.
type AccessToken struct {
	Name       string   `json:"name"`
	Scope      string   `json:"scope"` // repository, project or workspace
	Workspace  string   `json:"workspace"`
	Repository string   `json:"repository,omitempty"` // slug, for scope repository
	Project    string   `json:"project,omitempty"`    // key, for scope project
	Token      string   `json:"token"`
	Scopes     []string `json:"scopes"` // classic scopes: repository, repository:write, ...
	ExpiresIn  string   `json:"expires_in,omitempty"`
}

// Kinds of static Cloud credential (accessToken.static).
const (
	staticAPIToken    = "api-token"
	staticAccessToken = "access-token"
)

// apiTokenGitUser is the fixed git username of API tokens (docs/bitbucket-behaviour.md#cloud-api-tokens).
const apiTokenGitUser = "x-bitbucket-api-token-auth"

// apiTokenScopes maps API-token scopes to the classic scopes the mock
// checks (docs/bitbucket-behaviour.md#cloud-scopes). UNCONFIRMED simplification: write:repository:bitbucket
// maps to repository:write, which implies read here, although Bitbucket
// says write does not imply read; the fixtures grant both.
var apiTokenScopes = map[string]string{
	"read:repository:bitbucket":  "repository",
	"write:repository:bitbucket": "repository:write",
	"read:user:bitbucket":        "account",
}

// defaultStaticFixtures are the built-in static tokens. TEST VALUES; the
// prefixes (ATATT for API tokens, ATCTT for access tokens) imitate the
// shape of real ones and are UNCONFIRMED (the facts do not describe them).
func defaultStaticFixtures() ([]APIToken, []AccessToken) {
	rw := []string{"repository", "repository:write"}
	return []APIToken{
			{User: "alice", Email: "alice@example.com", Token: "ATATT3xMockApiTokenAliceTEST-ONLY-0001",
				Scopes:    []string{"read:repository:bitbucket", "write:repository:bitbucket", "read:user:bitbucket"},
				ExpiresIn: "720h"},
		}, []AccessToken{
			{Name: "widgets-token", Scope: "repository", Workspace: "acme", Repository: "widgets",
				Token: "ATCTT3xMockRepoAccessTokenWidgetsTEST-ONLY-0002", Scopes: rw, ExpiresIn: "720h"},
			{Name: "wid-project-token", Scope: "project", Workspace: "acme", Project: "WID",
				Token: "ATCTT3xMockProjectAccessTokenWidTEST-ONLY-0003", Scopes: rw, ExpiresIn: "720h"},
			{Name: "acme-workspace-token", Scope: "workspace", Workspace: "acme",
				Token: "ATCTT3xMockWorkspaceAccessTokenAcmeTEST-ONLY-0004", Scopes: rw},
		}
}

// staticExpiry turns expires_in into an absolute time on the mock clock;
// "" never expires (a date far ahead, so lookupAccess needs no case).
func staticExpiry(now time.Time, in string) (time.Time, error) {
	if in == "" {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	d, err := time.ParseDuration(in)
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("expires_in %q: want a positive Go duration", in)
	}
	return now.Add(d), nil
}

// installStaticTokens puts the fixtures' static tokens in s.static, each
// in a grant of its own (so an admin revoke works). They are not swept and
// their grants are not in s.grants: the mock never issued them.
func (s *State) installStaticTokens(f Fixtures) error {
	now := s.m.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range f.APITokens {
		if a.User == "" || a.Email == "" || a.Token == "" {
			return fmt.Errorf("api token %d needs user, email and token", i)
		}
		exp, err := staticExpiry(now, a.ExpiresIn)
		if err != nil {
			return fmt.Errorf("api token %d: %w", i, err)
		}
		var scopes []string
		for _, sc := range a.Scopes {
			if c, ok := apiTokenScopes[sc]; ok {
				scopes = append(scopes, c)
			}
		}
		s.static[a.Token] = &accessToken{client: "api-token", user: a.User, scopes: scopes, expires: exp,
			grant: &grant{}, kind: "api_token", static: staticAPIToken, email: a.Email}
	}
	for i, a := range f.AccessTokens {
		if a.Name == "" || a.Token == "" || a.Workspace == "" || !slices.Contains([]string{"repository", "project", "workspace"}, a.Scope) ||
			(a.Scope == "repository" && a.Repository == "") || (a.Scope == "project" && a.Project == "") {
			return fmt.Errorf("access token %d needs name, token, workspace and scope repository (with repository), project (with project) or workspace", i)
		}
		exp, err := staticExpiry(now, a.ExpiresIn)
		if err != nil {
			return fmt.Errorf("access token %d: %w", i, err)
		}
		s.static[a.Token] = &accessToken{client: "access-token", user: a.Name, scopes: a.Scopes, expires: exp,
			grant: &grant{}, kind: a.Scope + "_access_token", static: staticAccessToken, reach: a}
	}
	return nil
}

// staticBasicOK says whether a Basic username goes with static token t:
// API tokens take the Bitbucket username or x-bitbucket-api-token-auth on
// git and only the Atlassian e-mail on REST (docs/bitbucket-behaviour.md#cloud-api-tokens; the e-mail as git
// username gets 401); access tokens take only x-token-auth, on git (
// docs/bitbucket-behaviour.md#cloud-access-tokens). Bearer with an API token: UNCONFIRMED, refused here.
func staticBasicOK(t accessToken, c credentials) bool {
	switch t.static {
	case staticAPIToken:
		if c.git {
			return c.basicUser == apiTokenGitUser || c.basicUser == t.user
		}
		return c.basicUser == t.email
	case staticAccessToken:
		return c.git && c.basicUser == "x-token-auth"
	}
	return false
}

// staticBearerOK: access tokens are Bearer tokens on REST (docs/bitbucket-behaviour.md#cloud-access-tokens);
// API tokens are not (Basic with the e-mail, docs/bitbucket-behaviour.md#cloud-api-tokens).
func staticBearerOK(t accessToken) bool { return t.static == staticAccessToken }

// reaches says whether access token t may act on repository r.
func (t *accessToken) reaches(r *Repository) bool {
	a := t.reach
	switch a.Scope {
	case "repository":
		return r.Workspace == a.Workspace && r.Slug == a.Repository
	case "project":
		return r.Workspace == a.Workspace && r.Project == a.Project
	}
	return r.Workspace == a.Workspace
}
