package cli

// The JSON of `status --json` (README.md#status---json). Schema version 1:
// fields are only ever added under a new schemaVersion; every field is
// always present ("" or false or null when it does not apply); times are
// RFC 3339 in UTC, "" when unknown.

// statusSchemaVersion is StatusReport.SchemaVersion.
const statusSchemaVersion = 1

// StatusReport is the whole answer of `status --json`.
type StatusReport struct {
	SchemaVersion int            `json:"schemaVersion"`
	Usable        bool           `json:"usable"` // every configured remote listed is usable (the exit status is 0)
	Remotes       []StatusRemote `json:"remotes"`
}

// StatusRemote is one remote: configured in git config or the
// environment, or only present in the token store.
type StatusRemote struct {
	URL        string         `json:"url"`        // scheme://host[:port][/context-path]
	Configured bool           `json:"configured"` // named by a bitbucket.<url>.* key, GIT_CREDENTIAL_BITBUCKET_URL, or bitbucket.org with a grant
	Kind       string         `json:"kind"`       // cloud, server, datacenter; "" when not configured
	Grant      string         `json:"grant"`      // bitbucket.grant; "" when not configured
	Usable     bool           `json:"usable"`     // git gets credentials for it now, or without a person on the next command
	Problem    string         `json:"problem"`    // why not usable, with the command that fixes it; "" when usable
	Records    []StatusRecord `json:"records"`    // what the token store keeps for it
}

// StatusRecord is one token store record, without a secret.
type StatusRecord struct {
	Key          string        `json:"key"` // the record's URL, with the username it is kept for
	Account      string        `json:"account"`
	Kind         string        `json:"kind"`
	Grant        string        `json:"grant"`
	MintedFor    string        `json:"mintedFor"`   // the identity (kind, grant, client id, consumer key, user) it was obtained for
	Stale        bool          `json:"stale"`       // obtained for other settings than git config now has, or for a remote no longer configured
	StaleReason  string        `json:"staleReason"` // "" unless stale
	GitUsername  string        `json:"gitUsername"`
	AccessToken  StatusAccess  `json:"accessToken"`
	Scopes       string        `json:"scopes"`
	RefreshToken StatusRefresh `json:"refreshToken"`
	OAuth1       *StatusOAuth1 `json:"oauth1"` // null unless an OAuth 1 grant
	Updated      string        `json:"updated"`
}

// StatusAccess is the access token git is given.
type StatusAccess struct {
	// State: none, valid, expired, unknown-expiry (stored, no expiry
	// known), rejected (status --check: the server refused it).
	State  string `json:"state"`
	Expiry string `json:"expiry"`
	// Check: not-checked (no --check), accepted, rejected, skipped (not
	// sent: none, expired, or a kind the helper cannot check),
	// unreachable, failed (another answer).
	Check       string `json:"check"`
	CheckDetail string `json:"checkDetail"`
}

// StatusRefresh is the refresh token (OAuth 2 grants that have one).
type StatusRefresh struct {
	Stored    bool   `json:"stored"`
	LastUsed  string `json:"lastUsed"`  // issued or last spent
	RefusedAt string `json:"refusedAt"` // when Bitbucket last refused it ("" if never)
}

// StatusOAuth1 is what an OAuth 1 grant holds.
type StatusOAuth1 struct {
	TokenHeld       bool   `json:"tokenHeld"`   // the 3-legged login's OAuth 1 access token (2-legged grants hold none)
	TokenExpiry     string `json:"tokenExpiry"` // "" when the server gave none
	MintedTokenID   string `json:"mintedTokenId"`
	MintedTokenUser string `json:"mintedTokenUser"` // the user the HTTP access token was minted for
}
