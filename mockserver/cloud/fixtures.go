package cloud

// DefaultFixtures is the Cloud half of DefaultFixtures. Every key and
// secret below is a TEST VALUE, published with the source.
func DefaultFixtures() Fixtures {
	all := []string{"repository", "repository:write", "account"}
	apiTokens, accessTokens := defaultStaticFixtures()
	return Fixtures{
		APITokens:    apiTokens,
		AccessTokens: accessTokens,
		SessionUser:  "alice",
		Users: []User{
			{Username: "alice", DisplayName: "Alice Example", UUID: "{5b0a6f0e-6f43-4d2b-9a51-0c3a2b1e7a01}", AccountID: "557058:5b0a6f0e-6f43-4d2b-9a51-0c3a2b1e7a01"},
			{Username: "bob", DisplayName: "Bob Example", UUID: "{9c1d7e2f-3a44-4b5c-8d6e-1f2a3b4c5d02}", AccountID: "557058:9c1d7e2f-3a44-4b5c-8d6e-1f2a3b4c5d02"},
		},
		Consumers: []Consumer{
			// The everyday consumer: private (client credentials allowed), loopback callback,
			// owned by workspace acme; no rotation in era 2025 (era 2026 rotates every consumer).
			{Key: "mock-private", Secret: "mock-private-secret-TEST-ONLY", CallbackURL: "http://127.0.0.1",
				Private: true, Scopes: all, Owner: "alice", Workspace: "acme", RefreshRotation: "none"},
			// Era 2025's imitation of the 2026 change: rotating refresh tokens with a 10 minute grace.
			{Key: "mock-rotating", Secret: "mock-rotating-secret-TEST-ONLY", CallbackURL: "http://127.0.0.1",
				Private: true, Scopes: all, Owner: "alice", Workspace: "acme", RefreshRotation: "rotate", RotationGrace: "10m"},
			// Not private: client credentials refused.
			{Key: "mock-public", Secret: "mock-public-secret-TEST-ONLY", CallbackURL: "http://127.0.0.1",
				Scopes: all, Owner: "bob", Workspace: "acme", RefreshRotation: "none"},
			// Tokens longer than 2,500 characters (the 2026 change), rotating.
			{Key: "mock-long", Secret: "mock-long-secret-TEST-ONLY", CallbackURL: "http://127.0.0.1",
				Private: true, Scopes: all, Owner: "alice", Workspace: "acme", RefreshRotation: "rotate", LongTokens: true},
			// No callback URL: the token endpoint refuses every grant.
			{Key: "mock-nocallback", Secret: "mock-nocallback-secret-TEST-ONLY",
				Private: true, Scopes: all, Owner: "alice", RefreshRotation: "none"},
			// Read-only: clone yes, push 403.
			{Key: "mock-readonly", Secret: "mock-readonly-secret-TEST-ONLY", CallbackURL: "http://127.0.0.1",
				Private: true, Scopes: []string{"repository", "account"}, Owner: "alice", Workspace: "acme", RefreshRotation: "none"},
			// Owned by alice's personal workspace: in era 2026 its client-credentials
			// app user reaches only workspace alice (docs/bitbucket-behaviour.md#cloud-2026), not acme.
			{Key: "mock-personal", Secret: "mock-personal-secret-TEST-ONLY", CallbackURL: "http://127.0.0.1",
				Private: true, Scopes: all, Owner: "alice", RefreshRotation: "none"},
		},
		ConnectApps: []ConnectApp{
			{Key: "mock-connect-app", ClientKey: "mock-connect-client-key", SharedSecret: "mock-connect-shared-secret-TEST-ONLY",
				InstalledFor: "acme", Scopes: []string{"repository", "repository:write"}},
		},
		Repositories: []Repository{
			{Workspace: "acme", Slug: "widgets", Private: true, Project: "WID"},
			{Workspace: "acme", Slug: "public-repo", Private: false},
			{Workspace: "alice", Slug: "notes", Private: true},
		},
	}
}

// Fixtures describe the Bitbucket Cloud side.
type Fixtures struct {
	SessionUser  string       `json:"session_user"` // who is "logged in" on the consent page
	AutoApprove  bool         `json:"auto_approve,omitempty"`
	Users        []User       `json:"users"`
	Consumers    []Consumer   `json:"consumers"`
	ConnectApps  []ConnectApp `json:"connect_apps"`
	Repositories []Repository `json:"repositories"`
	// Static credentials (apitokens.go): Atlassian API tokens and
	// repository/project/workspace access tokens, issued before the mock
	// starts, with expiries on the mock clock.
	APITokens    []APIToken    `json:"api_tokens,omitempty"`
	AccessTokens []AccessToken `json:"access_tokens,omitempty"`
	// Era picks the behaviour: "2026" (default: Cloud since 2026-05-04,
	// docs/bitbucket-behaviour.md#cloud-2026) or "2025" (before CHANGE-3052); see era.go.
	Era string `json:"era,omitempty"`
	// The era-2026 refresh-token policy, Go durations; /_mock/cloud/refresh
	// reads and sets them at run time.
	RefreshGrace   string `json:"refresh_grace,omitempty"`   // a used refresh token keeps working this long; default "10m"
	RefreshLockout string `json:"refresh_lockout,omitempty"` // a dead token's use locks the consumer's refreshes; default "2m"
	RefreshIdle    string `json:"refresh_idle,omitempty"`    // refresh tokens unused this long die; default "2160h" (90 days)
}

type User struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	UUID        string `json:"uuid"`
	AccountID   string `json:"account_id"`
}

type Consumer struct {
	Key             string   `json:"key"`
	Secret          string   `json:"secret"`
	CallbackURL     string   `json:"callback_url"`
	Private         bool     `json:"private"`
	Scopes          []string `json:"scopes"`
	Owner           string   `json:"owner"`
	RefreshRotation string   `json:"refresh_rotation"`         // era 2025: "none" (default) or "rotate"; era 2026 always rotates
	RotationGrace   string   `json:"rotation_grace,omitempty"` // era 2025: Go duration, default "10m"
	Workspace       string   `json:"workspace,omitempty"`      // the workspace owning the consumer; default the owner's personal one
	LongTokens      bool     `json:"long_tokens,omitempty"`    // tokens longer than 2,500 characters
}

type ConnectApp struct {
	Key          string   `json:"key"`
	ClientKey    string   `json:"client_key"`
	SharedSecret string   `json:"shared_secret"`
	InstalledFor string   `json:"installed_for"` // workspace / account the token acts for
	Scopes       []string `json:"scopes"`
}

type Repository struct {
	Workspace string `json:"workspace"`
	Slug      string `json:"slug"`
	Private   bool   `json:"private"`
	UUID      string `json:"uuid,omitempty"`    // "{…}"; derived from workspace/slug when empty
	Project   string `json:"project,omitempty"` // project key, for project access tokens
}
