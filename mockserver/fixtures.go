package mockserver

import (
	"github.com/bbcred/git-credential-bitbucket/mockserver/cloud"
)

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
	return &Fixtures{Cloud: cloud.DefaultFixtures(), Server: defaultServerFixtures()}
}

// The Cloud side's fixtures (package cloud).
type (
	CloudFixtures    = cloud.Fixtures
	CloudUser        = cloud.User
	CloudConsumer    = cloud.Consumer
	ConnectApp       = cloud.ConnectApp
	CloudRepository  = cloud.Repository
	CloudAPIToken    = cloud.APIToken
	CloudAccessToken = cloud.AccessToken
)

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
