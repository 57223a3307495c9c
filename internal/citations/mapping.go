// Package citations keeps the project's citations resolvable: it rewrites
// the old citation forms ("facts A5b", "design.md \"Configuration\"",
// "../shared/reference/…") into anchors of documents in this repository
// (scripts/cite-rewrite), and checks that every `FILE.md#anchor` named in a
// tracked .go, .md or .txtar file exists (the test of this package).
//
// This file is the one place where the old forms may appear.
package citations

// behaviourDoc and protocolDoc are the in-repository reference, relative
// to the module root.
const (
	behaviourDoc = "docs/bitbucket-behaviour.md"
	protocolDoc  = "docs/git-credential-protocol.md"
)

// factAnchors maps every section id of the old shared facts file
// (bitbucket-auth-facts.md) to its anchor in behaviourDoc. Section
// letters alone (A, B, …) are the whole part; "0.n" is the short list of
// pitfalls, which now points at the fact each item summarises; "S-n" are
// the numbered sources.
var factAnchors = map[string]string{
	"0":    "pitfalls",
	"0.0":  "cloud-2026",
	"0.1":  "cloud-2025-token-response",
	"0.2":  "dc-oauth2-token-response",
	"0.3":  "git-challenge",
	"0.4":  "cloud-git-usernames",
	"0.5":  "cloud-rest-401",
	"0.6":  "oauth1-realm",
	"0.7":  "oauth1-2lo",
	"0.8":  "dc-access-token-format",
	"0.9":  "dc-identity",
	"0.10": "cgi-chunked",
	"0.11": "dc-anonymous-access",

	"A":   "cloud",
	"A0":  "cloud-2026",
	"A1":  "cloud-endpoints",
	"A2":  "cloud-grants",
	"A3":  "cloud-client-auth",
	"A4":  "cloud-2025-token-response",
	"A5":  "cloud-2025-refresh",
	"A5b": "cloud-refresh-rotation",
	"A6":  "cloud-token-errors",
	"A7":  "cloud-jwt-grant",
	"A8":  "cloud-scopes",
	"A9":  "cloud-using-tokens",
	"A10": "cloud-access-tokens",
	"A11": "cloud-api-tokens",
	"A12": "cloud-401",
	"A13": "cloud-user",
	"A14": "cloud-rate-limits",

	"B":  "dc-oauth1",
	"B1": "dc-oauth1-endpoints",
	"B2": "dc-oauth1-wire",
	"B3": "dc-oauth1-problems",

	"C": "dc-oauth2",

	"D":  "dc-tokens-rest-git",
	"D1": "dc-access-tokens",
	"D2": "dc-rest",
	"D3": "dc-git",

	"E":  "git-http",
	"E1": "git-http-requests",
	"E2": "git-http-backend",
	"E3": "go-cgi",

	"F": "client-side",
}

// sourceIDs are the numbered sources of the old facts file; "S-57" maps
// to the anchor "source-57" of behaviourDoc's source list.
var sourceIDs = []string{
	"1", "3", "3b", "3c", "3d", "4", "4b", "5", "5b", "5c", "6", "7", "7b", "7c", "8", "9",
	"10", "11", "12", "13", "14", "15", "16", "17", "18", "18b", "19", "19b", "19c", "19d",
	"20", "21", "22", "23", "24", "25", "26", "27", "27b", "28", "28b", "28c", "29", "29b",
	"30", "31", "32", "32b", "33", "33b", "34", "35", "36", "36b", "36c", "36d", "37",
	"40", "41", "42", "43", "44", "45", "46", "47",
	"50", "50b", "50c", "51", "52", "53", "54", "55", "56", "57", "58", "58b",
	"60", "60b", "60c", "60d", "61", "62", "62b", "63", "63b", "64", "65", "66",
	"80", "81", "82",
}

// protocolAnchors maps the numbered sections of the old shared
// git-credential-protocol.md to anchors of protocolDoc.
var protocolAnchors = map[string]string{
	"1":  "wire-format",
	"2":  "attributes",
	"3":  "capabilities",
	"4":  "what-git-does",
	"5":  "naming-and-config",
	"6":  "security-fixes",
	"7":  "strict-helper-rules",
	"8":  "lib-credential",
	"10": "version-matrix",
	"11": "token-helper-rules",
}

// designSections maps the section titles of the old shared design.md
// (lowercase) to the in-repository place that now says it, relative to
// the module root.
var designSections = map[string]string{
	"":                             "README.md",
	"the product in one paragraph": "README.md#git-credential-bitbucket",
	"layout":                       "README.md#development",
	"how a get flows":              "README.md#configuration",
	"how a `get` flows":            "README.md#configuration",
	"what git receives":            "README.md#what-git-receives",
	"configuration":                "README.md#configuration",
	"token store":                  "README.md#configuration",
	"user commands":                "README.md#using-it",
	"bitbucket-mock":               "mockserver/README.md#bitbucket-mock",
	"fixtures":                     "mockserver/README.md#bitbucket-mock",
	"control api":                  "mockserver/README.md#control-api-both-listeners-at-the-root-not-under-the-context-path",
	"conformance":                  "conformance/README.md#conformance-suite",
}

// Targets lists every file#anchor the rewrite can produce, for the test
// that keeps the mapping and the documents in step.
func Targets() []string {
	var out []string
	for _, a := range factAnchors {
		out = append(out, behaviourDoc+"#"+a)
	}
	for _, s := range sourceIDs {
		out = append(out, behaviourDoc+"#source-"+s)
	}
	for _, a := range protocolAnchors {
		out = append(out, protocolDoc+"#"+a)
	}
	for _, t := range designSections {
		out = append(out, t)
	}
	return out
}
