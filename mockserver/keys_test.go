package mockserver

import "github.com/bbcred/git-credential-bitbucket/mockserver/internal/testkeys"

// The built-in links' TEST-ONLY keys, for the tests that sign.
const (
	testLinkPrivateKeyPEM    = testkeys.LinkPrivateKeyPEM
	testLinkPublicKeyPEM     = testkeys.LinkPublicKeyPEM
	test3LOLinkPrivateKeyPEM = testkeys.ThreeLOPrivateKeyPEM
)
