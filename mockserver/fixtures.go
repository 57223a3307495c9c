package mockserver

// Fixtures is the JSON schema of `bitbucket-mock fixtures` and --fixtures.
// The field names are a contract (mockserver/README.md#running-it): add fields freely,
// never rename.
type Fixtures struct {
	Cloud  CloudFixtures  `json:"cloud"`
	Server ServerFixtures `json:"server"`
}

// DefaultFixtures are the built-in fixtures: everything needed to run every
// grant and leg on both sides. Every secret and key in them is a TEST VALUE.
func DefaultFixtures() *Fixtures {
	return &Fixtures{Cloud: defaultCloudFixtures(), Server: defaultServerFixtures()}
}

// CloudFixtures describe the Bitbucket Cloud side.
type CloudFixtures struct {
	SessionUser  string            `json:"session_user"` // who is "logged in" on the consent page
	AutoApprove  bool              `json:"auto_approve,omitempty"`
	Users        []CloudUser       `json:"users"`
	Consumers    []CloudConsumer   `json:"consumers"`
	ConnectApps  []ConnectApp      `json:"connect_apps"`
	Repositories []CloudRepository `json:"repositories"`
	// Static credentials (cloud_apitokens.go): Atlassian API tokens and
	// repository/project/workspace access tokens, issued before the mock
	// starts, with expiries on the mock clock.
	APITokens    []CloudAPIToken    `json:"api_tokens,omitempty"`
	AccessTokens []CloudAccessToken `json:"access_tokens,omitempty"`
	// Era picks the behaviour: "2026" (default: Cloud since 2026-05-04,
	// docs/bitbucket-behaviour.md#cloud-2026) or "2025" (before CHANGE-3052); see cloud_era.go.
	Era string `json:"era,omitempty"`
	// The era-2026 refresh-token policy, Go durations; /_mock/cloud/refresh
	// reads and sets them at run time.
	RefreshGrace   string `json:"refresh_grace,omitempty"`   // a used refresh token keeps working this long; default "10m"
	RefreshLockout string `json:"refresh_lockout,omitempty"` // a dead token's use locks the consumer's refreshes; default "2m"
	RefreshIdle    string `json:"refresh_idle,omitempty"`    // refresh tokens unused this long die; default "2160h" (90 days)
}

type CloudUser struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	UUID        string `json:"uuid"`
	AccountID   string `json:"account_id"`
}

type CloudConsumer struct {
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

type CloudRepository struct {
	Workspace string `json:"workspace"`
	Slug      string `json:"slug"`
	Private   bool   `json:"private"`
	UUID      string `json:"uuid,omitempty"`    // "{…}"; derived from workspace/slug when empty
	Project   string `json:"project,omitempty"` // project key, for project access tokens
}

// ServerFixtures describe the Bitbucket Server / Data Center side.
type ServerFixtures struct {
	ContextPath      string            `json:"context_path"` // default "/bitbucket"
	SessionUser      string            `json:"session_user"`
	AnonymousAccess  bool              `json:"anonymous_access"`
	AutoApprove      bool              `json:"auto_approve,omitempty"`
	Users            []ServerUser      `json:"users"`
	ApplicationLinks []ApplicationLink `json:"application_links"`
	OAuth2Clients    []DCOAuth2Client  `json:"oauth2_clients"`
	Projects         []ServerProject   `json:"projects"`
}

type ServerUser struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`          // "" = cannot log in with Basic
	Email       string `json:"email,omitempty"`   // emailAddress; default <slug>@example.invalid
	Service     bool   `json:"service,omitempty"` // type SERVICE instead of NORMAL
	Admin       bool   `json:"admin,omitempty"`   // may manage other users' HTTP access tokens
}

type ApplicationLink struct {
	ConsumerKey        string `json:"consumer_key"`
	PublicKeyPEM       string `json:"public_key_pem"`
	PrivateKeyPEM      string `json:"private_key_pem,omitempty"`  // TEST ONLY: lets clients sign
	PrivateKeyNote     string `json:"private_key_note,omitempty"` // says so in the JSON
	ExecuteAs          string `json:"execute_as"`
	Allow2LO           bool   `json:"allow_2lo"`
	AllowImpersonation bool   `json:"allow_impersonation"`
}

type DCOAuth2Client struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	Name         string   `json:"name,omitempty"`         // shown on the consent page
	RequirePKCE  bool     `json:"require_pkce,omitempty"` // refuse authorization requests without code_challenge
}

type ServerProject struct {
	Key          string            `json:"key"`
	Public       bool              `json:"public"`
	Repositories []string          `json:"repositories"`
	Permissions  map[string]string `json:"permissions"` // user slug -> PROJECT_READ|PROJECT_WRITE|PROJECT_ADMIN
}
