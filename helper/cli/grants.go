package cli

import (
	"slices"
	"strings"
)

// grants are the values bitbucket.grant accepts, by kind.
var grantKinds = map[string]string{
	"authorization-code": "cloud",
	"client-credentials": "cloud",
	"jwt":                "cloud",
	"oauth1":             "server",
	"oauth1-2lo":         "server",
	"oauth1-impersonate": "server",
	"oauth2":             "datacenter",
	"static":             "any", // helper/static: Cloud and Server/DC alike
}

// interactiveGrants are the grants that ask a person (a browser consent
// or a pasted code): only they get interactiveGrace past bitbucket.timeout.
var interactiveGrants = map[string]bool{
	"authorization-code": true,
	"oauth1":             true,
	"oauth2":             true,
}

// grantsOf lists the grants of a kind for messages.
func grantsOf(kind string) string {
	cloud := kind == "cloud"
	var gs []string
	for _, g := range sortedKeys(grantKinds) {
		if grantKinds[g] == "any" || (grantKinds[g] == "cloud") == cloud {
			gs = append(gs, g)
		}
	}
	return "one of " + strings.Join(gs, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
