package datacenter

import "github.com/bbcred/git-credential-bitbucket/mockserver/internal/testkeys"

// The built-in links' TEST-ONLY keys (package testkeys).
const (
	testLinkPrivateKeyPEM    = testkeys.LinkPrivateKeyPEM
	testLinkPublicKeyPEM     = testkeys.LinkPublicKeyPEM
	test3LOLinkPrivateKeyPEM = testkeys.ThreeLOPrivateKeyPEM
	test3LOLinkPublicKeyPEM  = testkeys.ThreeLOPublicKeyPEM
)

// Consumer keys of the built-in application links.
const (
	// TestLinkConsumerKey allows 3-legged, 2-legged (as svc-ci) and
	// 2-legged with impersonation.
	TestLinkConsumerKey = "bbcred-test-link"
	// Test3LOLinkConsumerKey allows 3-legged only.
	Test3LOLinkConsumerKey = "bbcred-3lo-only"
	// TestDCOAuth2ClientID is the built-in DC OAuth 2 client.
	TestDCOAuth2ClientID = "bbcred-dc-client"
)

// TestLinkPrivateKeyPEM is the TEST-ONLY RSA private key (PKCS#8 PEM) of the
// built-in application link TestLinkConsumerKey, for other packages' tests.
func TestLinkPrivateKeyPEM() string { return testLinkPrivateKeyPEM }

// Test3LOLinkPrivateKeyPEM is the TEST-ONLY RSA private key (PKCS#1 PEM) of
// the built-in application link Test3LOLinkConsumerKey.
func Test3LOLinkPrivateKeyPEM() string { return test3LOLinkPrivateKeyPEM }

// testKeyNote labels the private keys in `bitbucket-mock fixtures`.
const testKeyNote = "TEST ONLY: this private key is published with bitbucket-mock; never use it for anything real"

// DefaultFixtures are the built-in Server/DC fixtures. Every password,
// secret and key in them is a TEST VALUE.
func DefaultFixtures() Fixtures {
	return Fixtures{
		ContextPath: "/bitbucket",
		SessionUser: "alice",
		Users: []User{
			{Slug: "alice", Name: "alice", DisplayName: "Alice", Password: "alice-test-password", Email: "alice@example.invalid"},
			{Slug: "bob", Name: "bob", DisplayName: "Bob", Password: "bob-test-password", Email: "bob@example.invalid"},
			{Slug: "svc-ci", Name: "svc-ci", DisplayName: "CI service", Service: true},
		},
		ApplicationLinks: []ApplicationLink{
			{
				ConsumerKey:        TestLinkConsumerKey,
				PublicKeyPEM:       testLinkPublicKeyPEM,
				PrivateKeyPEM:      testLinkPrivateKeyPEM,
				PrivateKeyNote:     testKeyNote,
				ExecuteAs:          "svc-ci",
				Allow2LO:           true,
				AllowImpersonation: true,
			},
			{
				ConsumerKey:    Test3LOLinkConsumerKey,
				PublicKeyPEM:   test3LOLinkPublicKeyPEM,
				PrivateKeyPEM:  test3LOLinkPrivateKeyPEM,
				PrivateKeyNote: testKeyNote,
			},
		},
		OAuth2Clients: []OAuth2Client{{
			ClientID:     TestDCOAuth2ClientID,
			ClientSecret: "bbcred-dc-client-test-secret",
			Name:         "git-credential-bitbucket (test)",
			// Loopback redirect URIs match on any port (RFC 8252 §7.3).
			RedirectURIs: []string{"http://127.0.0.1:7777/callback", "http://localhost:7777/callback"},
			Scopes:       []string{"PUBLIC_REPOS", "REPO_READ", "REPO_WRITE"},
		}},
		Projects: []Project{
			{
				Key:          "PROJ",
				Repositories: []string{"widgets"},
				// svc-ci can write so that 2-legged OAuth (execute as svc-ci) can push.
				Permissions: map[string]string{"alice": "PROJECT_WRITE", "svc-ci": "PROJECT_WRITE", "bob": "PROJECT_READ"},
			},
			{
				Key:          "PUB",
				Public:       true,
				Repositories: []string{"open"},
				Permissions:  map[string]string{"alice": "PROJECT_ADMIN"},
			},
		},
	}
}

// Fixtures describe the Bitbucket Server / Data Center side.
type Fixtures struct {
	ContextPath      string            `json:"context_path"` // default "/bitbucket"
	SessionUser      string            `json:"session_user"`
	AnonymousAccess  bool              `json:"anonymous_access"`
	AutoApprove      bool              `json:"auto_approve,omitempty"`
	Users            []User            `json:"users"`
	ApplicationLinks []ApplicationLink `json:"application_links"`
	OAuth2Clients    []OAuth2Client    `json:"oauth2_clients"`
	Projects         []Project         `json:"projects"`
}

type User struct {
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

type OAuth2Client struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	Name         string   `json:"name,omitempty"`         // shown on the consent page
	RequirePKCE  bool     `json:"require_pkce,omitempty"` // refuse authorization requests without code_challenge
}

type Project struct {
	Key          string            `json:"key"`
	Public       bool              `json:"public"`
	Repositories []string          `json:"repositories"`
	Permissions  map[string]string `json:"permissions"` // user slug -> PROJECT_READ|PROJECT_WRITE|PROJECT_ADMIN
}
