package mockserver

import (
	"github.com/bbcred/git-credential-bitbucket/mockserver/cloud"
	"github.com/bbcred/git-credential-bitbucket/mockserver/datacenter"
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
	return &Fixtures{Cloud: cloud.DefaultFixtures(), Server: datacenter.DefaultFixtures()}
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

// The Server/DC side's fixtures (package datacenter).
type (
	ServerFixtures  = datacenter.Fixtures
	ServerUser      = datacenter.User
	ApplicationLink = datacenter.ApplicationLink
	DCOAuth2Client  = datacenter.OAuth2Client
	ServerProject   = datacenter.Project
)

// The built-in Server/DC fixtures' consumer keys and client id (package datacenter).
const (
	TestLinkConsumerKey    = datacenter.TestLinkConsumerKey    // 3-legged, 2-legged (as svc-ci), impersonation
	Test3LOLinkConsumerKey = datacenter.Test3LOLinkConsumerKey // 3-legged only
	TestDCOAuth2ClientID   = datacenter.TestDCOAuth2ClientID
)

// TestLinkPrivateKeyPEM is the TEST-ONLY RSA private key (PKCS#8 PEM) of the
// built-in application link TestLinkConsumerKey, for other packages' tests.
func TestLinkPrivateKeyPEM() string { return datacenter.TestLinkPrivateKeyPEM() }

// Test3LOLinkPrivateKeyPEM is the TEST-ONLY RSA private key (PKCS#1 PEM) of
// the built-in application link Test3LOLinkConsumerKey.
func Test3LOLinkPrivateKeyPEM() string { return datacenter.Test3LOLinkPrivateKeyPEM() }
