package cli

import (
	"fmt"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// grantsOf lists the grants of a kind for messages, from grant.Table.
func grantsOf(kind string) string {
	return grant.OneOf(grant.Names(kind == grant.KindCloud))
}

// notOfferedErr refuses a grant the table recognises but does not offer,
// with the reason.
func notOfferedErr(name string) error {
	if name == grant.Implicit {
		return fmt.Errorf("the %s grant is not offered: it gives no refresh token and puts the token in a URL fragment; use %s (or %s for CI)",
			name, grant.AuthorizationCode, grant.ClientCredentials)
	}
	return fmt.Errorf("the %s grant is not offered: use %s", name, grantsOf(grant.InferKind(name)))
}

// grantsHelp is configure's help paragraph on grants, by product.
func grantsHelp() string {
	of := func(kind string) string { return strings.Join(grant.Of(kind), ", ") }
	return "Grants: " + of(grant.KindCloud) + " (Cloud);\n" +
		"        " + of(grant.KindServer) + " (Server/DC); " + of(grant.KindDataCenter) + " (Data Center);\n" +
		"        " + of(grant.KindAny) + " (a token you created: Cloud API or access token, DC HTTP token)\n"
}

// grantsWhere lists the offered grants of one product that ask a person
// (interactive) or that do not, in the table's order.
func grantsWhere(interactive bool) []string {
	var out []string
	for _, g := range grant.Table {
		if g.Offered && g.Kind != grant.KindAny && g.Interactive == interactive {
			out = append(out, g.Name)
		}
	}
	return out
}

// joinAnd renders "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
