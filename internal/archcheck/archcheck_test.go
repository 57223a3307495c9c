package archcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// root is the module's root, from this package's directory.
var root = filepath.Join("..", "..")

// TestArchitecture: ARCHITECTURE.md's import rules hold for every package
// of the module, every package has a rule and a doc comment that says its
// job, and no rule is stale.
func TestArchitecture(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join(root, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: not the module's root?", len(pkgs))
	}
	for _, p := range rules.Check(pkgs) {
		t.Error(p)
	}
}

const testDoc = "# title\n\n```imports\n" +
	"$dc = helper/server\n" +
	"cmd/... <= 20 lines\n" +
	"cmd/tool: helper/cli\n" +
	"helper/cli: $dc helper/grant\n" +
	"$dc: helper/grant\n" +
	"helper/grant:\n" +
	"mockserver/...:\n" +
	"mockserver/... !: helper/...\n" +
	"```\n"

// pkgs is a module that keeps testDoc's rules; each case of TestCheck
// plants one violation in a copy.
func pkgs() []Package {
	return []Package{
		{Path: "cmd/tool", Name: "main", Doc: "Command tool runs.", Imports: []string{"helper/cli"}},
		{Path: "helper/cli", Name: "cli", Doc: "Package cli is the CLI.", Imports: []string{"helper/grant", "helper/server"}},
		{Path: "helper/grant", Name: "grant", Doc: "Package grant is the table."},
		{Path: "helper/server", Name: "server", Doc: "Package server is DC.", Imports: []string{"helper/grant"}},
		{Path: "mockserver", Name: "mockserver", Doc: "Package mockserver is the mock."},
		{Path: "mockserver/cloud", Name: "cloud", Doc: "Package cloud is the mock's Cloud."},
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		plant func(p []Package) []Package
		want  []string
	}{
		{"clean", func(p []Package) []Package { return p }, nil},
		{"a leaf imports another package", func(p []Package) []Package {
			p[2].Imports = []string{"helper/server"}
			p[2].Files = map[string]string{"helper/server": "helper/grant/grant.go"}
			return p
		}, []string{"helper/grant (helper/grant/grant.go) imports helper/server, which ARCHITECTURE.md line 9 (helper/grant: ...) does not allow: remove the import, or add it to that rule if the dependency is right"}},
		{"the mock imports the helper in a test", func(p []Package) []Package {
			p[5].TestImports = []string{"helper/grant"}
			return p
		}, []string{"mockserver/cloud imports helper/grant, which ARCHITECTURE.md line 11 forbids (mockserver/... never imports helper/..., tests included)"}},
		{"the mock imports the helper", func(p []Package) []Package {
			p[4].Imports = []string{"helper/grant"}
			return p
		}, []string{
			"mockserver imports helper/grant, which ARCHITECTURE.md line 10 (mockserver/...: ...) does not allow: remove the import, or add it to that rule if the dependency is right",
			"mockserver imports helper/grant, which ARCHITECTURE.md line 11 forbids (mockserver/... never imports helper/..., tests included)"}},
		{"a package without a rule", func(p []Package) []Package {
			return append(p, Package{Path: "internal/new", Name: "new", Doc: "Package new is new.", Imports: []string{"helper/grant"}})
		}, []string{`package internal/new has no rule in ARCHITECTURE.md's imports block: add a line "internal/new: helper/grant"`}},
		{"a package without a doc comment", func(p []Package) []Package {
			p[2].Doc = ""
			return p
		}, []string{`package helper/grant has no doc comment that says its job: add "// Package grant ..." above its package clause (doc now "")`}},
		{"a fat main", func(p []Package) []Package {
			p[0].Lines = 21
			return p
		}, []string{"cmd/tool has 21 lines of non-test Go, more than the 20 that ARCHITECTURE.md line 5 allows: move the work into a package it imports"}},
		{"a main's doc", func(p []Package) []Package {
			p[0].Doc = "Package main runs."
			return p
		}, []string{`package cmd/tool has no doc comment that says its job: add "// Command tool ..." above its package clause (doc now "Package main runs.")`}},
		{"a renamed package: the alias is stale", func(p []Package) []Package {
			p[1].Imports = []string{"helper/datacenter", "helper/grant"}
			p[3].Path, p[3].Name, p[3].Doc = "helper/datacenter", "datacenter", "Package datacenter is DC."
			return p
		}, []string{
			"helper/cli imports helper/datacenter, which ARCHITECTURE.md line 7 (helper/cli: ...) does not allow: remove the import, or add it to that rule if the dependency is right",
			`package helper/datacenter has no rule in ARCHITECTURE.md's imports block: add a line "helper/datacenter: helper/grant"`,
			"ARCHITECTURE.md line 7: helper/cli is allowed helper/server but imports nothing it matches: remove helper/server from the rule",
			"ARCHITECTURE.md line 8: helper/server names no package of the module (renamed or removed?): update the rule"}},
	}
	rules, err := Parse([]byte(testDoc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := rules.Check(tt.plant(pkgs()))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"no block", "# nothing\n", "has no ```imports block"},
		{"unclosed", "```imports\na: b\n", "is not closed"},
		{"no colon", "```imports\na b\n```\n", `line 2: "a b" is neither`},
		{"bad size", "```imports\ncmd/... <= many\n```\n", `line 2: "cmd/... <= many": want`},
		{"undefined name", "```imports\na: $x\n```\n", "line 2: $x is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want an error with %q", err, tt.want)
			}
		})
	}
}
