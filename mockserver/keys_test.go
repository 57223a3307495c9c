package mockserver

import "github.com/bbcred/git-credential-bitbucket/mockserver/internal/testkeys"

// The built-in link's TEST-ONLY private key, for the tests that sign.
const testLinkPrivateKeyPEM = testkeys.LinkPrivateKeyPEM
