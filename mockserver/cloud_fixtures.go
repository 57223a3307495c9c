package mockserver

// defaultCloudFixtures is the Cloud half of DefaultFixtures. Every key and
// secret below is a TEST VALUE, published with the source.
func defaultCloudFixtures() CloudFixtures {
	all := []string{"repository", "repository:write", "account"}
	apiTokens, accessTokens := defaultStaticFixtures()
	return CloudFixtures{
		APITokens:    apiTokens,
		AccessTokens: accessTokens,
		SessionUser:  "alice",
		Users: []CloudUser{
			{Username: "alice", DisplayName: "Alice Example", UUID: "{5b0a6f0e-6f43-4d2b-9a51-0c3a2b1e7a01}", AccountID: "557058:5b0a6f0e-6f43-4d2b-9a51-0c3a2b1e7a01"},
			{Username: "bob", DisplayName: "Bob Example", UUID: "{9c1d7e2f-3a44-4b5c-8d6e-1f2a3b4c5d02}", AccountID: "557058:9c1d7e2f-3a44-4b5c-8d6e-1f2a3b4c5d02"},
		},
		Consumers: []CloudConsumer{
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
		Repositories: []CloudRepository{
			{Workspace: "acme", Slug: "widgets", Private: true, Project: "WID"},
			{Workspace: "acme", Slug: "public-repo", Private: false},
			{Workspace: "alice", Slug: "notes", Private: true},
		},
	}
}
