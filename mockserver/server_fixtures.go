package mockserver

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

// defaultServerFixtures are the built-in Server/DC fixtures. Every password,
// secret and key in them is a TEST VALUE.
func defaultServerFixtures() ServerFixtures {
	return ServerFixtures{
		ContextPath: "/bitbucket",
		SessionUser: "alice",
		Users: []ServerUser{
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
		OAuth2Clients: []DCOAuth2Client{{
			ClientID:     TestDCOAuth2ClientID,
			ClientSecret: "bbcred-dc-client-test-secret",
			Name:         "git-credential-bitbucket (test)",
			// Loopback redirect URIs match on any port (RFC 8252 §7.3).
			RedirectURIs: []string{"http://127.0.0.1:7777/callback", "http://localhost:7777/callback"},
			Scopes:       []string{"PUBLIC_REPOS", "REPO_READ", "REPO_WRITE"},
		}},
		Projects: []ServerProject{
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
