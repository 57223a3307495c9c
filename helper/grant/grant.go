// Package grant is the one table of the grants bitbucket.grant accepts:
// each grant's name, the product kind it serves, whether it asks a person,
// and whether configure offers it. Everything else (config validation,
// configure's messages and "log in now" list, kind inference, the
// providers' dispatch, help texts) derives from Table. It is a leaf: it
// imports nothing of ours, so the fast path can use it.
package grant

import (
	"slices"
	"strings"
)

// The grant names, exactly as bitbucket.grant spells them.
const (
	AuthorizationCode = "authorization-code" // Cloud OAuth 2 authorization code with PKCE
	ClientCredentials = "client-credentials" // Cloud OAuth 2 client credentials
	JWT               = "jwt"                // Cloud Connect JWT bearer grant
	OAuth1            = "oauth1"             // DC application link, 3-legged
	OAuth1TwoLegged   = "oauth1-2lo"         // DC application link, 2-legged as the link's user
	OAuth1Impersonate = "oauth1-impersonate" // DC application link, 2-legged with impersonation
	OAuth2            = "oauth2"             // DC's OAuth 2 provider, authorization code
	Static            = "static"             // a token the user made, set with configure --token-stdin
	// Implicit is Cloud's implicit grant: recognised only to be refused
	// with a reason (RFC 9700 §2.1.2 deprecates it).
	Implicit = "implicit"
)

// The product kinds, as bitbucket.kind spells them.
const (
	KindCloud      = "cloud"
	KindServer     = "server"     // Server and Data Center through an application link
	KindDataCenter = "datacenter" // Data Center's OAuth 2 provider
	KindAny        = "any"        // a grant both products serve
)

// Grant is one row of the table.
type Grant struct {
	Name string
	// Kind is the product kind the grant serves (KindAny: both).
	Kind string
	// Interactive grants ask a person (a browser consent or a pasted
	// code): login runs them, and only they get the interactive grace
	// past bitbucket.timeout.
	Interactive bool
	// Offered grants are what configure accepts; the others are
	// recognised only to be refused with a reason.
	Offered bool
}

// Table lists every grant, offered ones first, in the order messages name
// them.
var Table = []Grant{
	{AuthorizationCode, KindCloud, true, true},
	{ClientCredentials, KindCloud, false, true},
	{JWT, KindCloud, false, true},
	{OAuth1, KindServer, true, true},
	{OAuth1TwoLegged, KindServer, false, true},
	{OAuth1Impersonate, KindServer, false, true},
	{OAuth2, KindDataCenter, true, true},
	{Static, KindAny, false, true},
	{Implicit, KindCloud, true, false},
}

// Lookup returns the row for name and whether there is one.
func Lookup(name string) (Grant, bool) {
	i := slices.IndexFunc(Table, func(g Grant) bool { return g.Name == name })
	if i < 0 {
		return Grant{}, false
	}
	return Table[i], true
}

// IsInteractive reports whether name is a grant that asks a person.
func IsInteractive(name string) bool {
	g, ok := Lookup(name)
	return ok && g.Interactive
}

// IsOAuth1 reports whether name is one of the OAuth 1 application-link
// grants (the KindServer rows), which sign with the link's RSA key.
func IsOAuth1(name string) bool {
	g, ok := Lookup(name)
	return ok && g.Kind == KindServer
}

// Names lists the offered grants, sorted; with cloud set only those that
// serve Bitbucket Cloud, else only those that serve Server/DC (KindAny
// rows are in both).
func Names(cloud bool) []string {
	var out []string
	for _, g := range Table {
		if g.Offered && (g.Kind == KindAny || (g.Kind == KindCloud) == cloud) {
			out = append(out, g.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Of lists the offered grants whose own kind is one of kinds, sorted:
// Of(KindServer, KindDataCenter) is what the Server/DC provider serves.
func Of(kinds ...string) []string {
	var out []string
	for _, g := range Table {
		if g.Offered && slices.Contains(kinds, g.Kind) {
			out = append(out, g.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Kinds lists the product kinds bitbucket.kind accepts, in the order
// messages name them.
func Kinds() []string { return []string{KindCloud, KindServer, KindDataCenter} }

// All lists every name the table recognises (offered or not), sorted.
func All() []string {
	out := make([]string, 0, len(Table))
	for _, g := range Table {
		out = append(out, g.Name)
	}
	slices.Sort(out)
	return out
}

// OneOf renders names for messages: "one of a, b, c".
func OneOf(names []string) string { return "one of " + strings.Join(names, ", ") }

// InferKind is the product kind for a grant when bitbucket.kind is not
// set: the grant's own kind, Cloud for KindAny and unknown names (the
// provider then reports what is wrong).
func InferKind(name string) string {
	if g, ok := Lookup(name); ok && g.Kind != KindAny {
		return g.Kind
	}
	return KindCloud
}
