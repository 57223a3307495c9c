package cli

import (
	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/cloud"
	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// DefaultProviders maps bitbucket.kind to the product that serves it.
// One line per kind.
func DefaultProviders() map[string]auth.Provider {
	return map[string]auth.Provider{
		grant.KindCloud:      cloud.New(),
		grant.KindServer:     datacenter.New(),
		grant.KindDataCenter: datacenter.New(),
	}
}
