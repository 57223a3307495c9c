package conformance

import (
	"crypto/rsa"
	"strings"
	"time"
)

// Cloud describes a Bitbucket Cloud target: where it is and the credentials
// the cases may use. A nil credential means the target has none configured;
// cases needing it skip.
type Cloud struct {
	URL    string // site: authorize, token endpoint, git; e.g. https://bitbucket.org
	APIURL string // REST base without /2.0; e.g. https://api.bitbucket.org

	Private    *Consumer // private consumer (client credentials allowed), no rotation
	Escaped    *Consumer // private consumer whose secret changes under URL escaping
	Public     *Consumer // consumer not marked private
	Rotating   *Consumer // refresh_rotation "rotate"
	Long       *Consumer // tokens longer than 2,500 characters
	NoCallback *Consumer // consumer without a callback URL
	ReadOnly   *Consumer // private consumer with "repository" and "account" but no write
	NoAccount  *Consumer // private consumer with "repository" but no "account"
	Personal   *Consumer // private consumer owned by a personal workspace (era 2026: reaches only it)
	Connect    *ConnectApp

	// Era is "2026" (Cloud since 2026-05-04, docs/bitbucket-behaviour.md#cloud-2026; real targets) or
	// "2025" (a mock started with --cloud-era 2025 or cloud.era).
	Era string
	// The era-2026 refresh policy (docs/bitbucket-behaviour.md#cloud-2026): grace after a refresh
	// token's first use, lockout after a dead token's use, idle death.
	Grace, Lockout, Idle time.Duration
	// Mock: the target is bitbucket-mock (its choices where facts are
	// silent may be checked).
	Mock bool

	SessionUser string      // who approves consent pages
	Users       []CloudUser // known users
	Repo        *CloudRepo  // a repository the consumers' owner may read and write

	// RefreshToken holds a pre-consented refresh token of Private (real
	// targets); the run writes rotated tokens back.
	RefreshToken *TokenFile

	// Static credentials a user created (docs/bitbucket-behaviour.md#cloud-api-tokens,
	// docs/bitbucket-behaviour.md#cloud-access-tokens); nil when the target has none.
	APIToken    *StaticToken // an Atlassian API token
	AccessToken *StaticToken // a repository access token
}

// StaticToken is a token created in Bitbucket's UI and the repository it
// may read.
type StaticToken struct {
	Token           string
	User, Email     string // API tokens: Bitbucket username and Atlassian e-mail
	Workspace, Slug string // a repository the token reaches
}

// Consumer is a Cloud OAuth consumer (client).
type Consumer struct {
	Key, Secret string
	Callback    string
	Private     bool
	Scopes      []string
	Owner       string
	Rotation    string        // era 2025: "none" or "rotate"
	Grace       time.Duration // era 2025: rotation grace
	LongTokens  bool
	Workspace   string // the workspace owning the consumer ("" = unknown)
}

// modern reports whether c behaves as Cloud since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026).
func (c *Cloud) modern() bool { return c.Era != "2025" }

// rotates reports whether k's refresh tokens rotate: every consumer's since
// 2026 (docs/bitbucket-behaviour.md#cloud-2026), the "rotate" ones before.
func (c *Cloud) rotates(k *Consumer) bool { return c.modern() || k.Rotation == "rotate" }

// graceOf is how long a used refresh token of k keeps working.
func (c *Cloud) graceOf(k *Consumer) time.Duration {
	if c.modern() {
		return c.Grace
	}
	return k.Grace
}

// ConnectApp is a Cloud Connect app installation (JWT grant).
type ConnectApp struct {
	Key, ClientKey, SharedSecret string
	InstalledFor                 string
	Scopes                       []string
}

// CloudUser is a Cloud account.
type CloudUser struct {
	Username, DisplayName, UUID, AccountID string
}

// CloudRepo is a Cloud repository.
type CloudRepo struct {
	Workspace, Slug string
	Private         bool
}

// Path is "<workspace>/<slug>".
func (r CloudRepo) Path() string { return r.Workspace + "/" + r.Slug }

// Server describes a Bitbucket Server/DC target.
type Server struct {
	URL         string // base URL including the context path, no trailing slash
	ContextPath string // e.g. "/bitbucket"; "" at the root

	Link        *AppLink  // application link allowing 3LO, 2LO and impersonation
	ThreeLOOnly *AppLink  // application link allowing only 3-legged OAuth
	OAuth2      *DCClient // DC OAuth 2 client
	HelperDC    *DCClient // DC OAuth 2 client for the helper's loopback redirect (a free fixed port)

	User        *ServerUser // the session user who approves consent pages
	Impersonate string      // a user (not the execute-as user) to impersonate
	Repo        *ServerRepo // a repository User may write

	// Pre-authorized credentials (real targets). The run writes rotated
	// DC OAuth 2 refresh tokens back.
	AccessToken   *OAuth1Token
	OAuth2Refresh *TokenFile
}

// AppLink is an OAuth 1 application link (incoming authentication).
type AppLink struct {
	ConsumerKey        string
	Key                *rsa.PrivateKey
	ExecuteAs          string
	Allow2LO           bool
	AllowImpersonation bool
}

// DCClient is a DC OAuth 2 client.
type DCClient struct {
	ID, Secret  string
	RedirectURI string
	Scopes      []string
}

// ServerUser is a Server/DC user.
type ServerUser struct {
	Slug, Name, Password string
}

// ServerRepo is a Server/DC repository.
type ServerRepo struct {
	Project, Slug string
}

// GitPath is the repository's clone path under the base URL.
func (r ServerRepo) GitPath() string {
	return "/scm/" + strings.ToLower(r.Project) + "/" + r.Slug + ".git"
}

// OAuth1Token is an OAuth 1 access token and its secret.
type OAuth1Token struct {
	Token, Secret string
	User          string // whom the token acts for, when known
}
