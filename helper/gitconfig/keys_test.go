package gitconfig_test

import (
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"clientsecretfiel": "clientSecretFile",
		"clientSecretFile": "clientSecretFile",
		"privatekeyfle":    "privateKeyFile",
		"grnat":            "grant",
		"consumerkye":      "consumerKey",
		"frobnicate":       "",
		"x":                "",
	}
	for in, want := range tests {
		if got := gitconfig.Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseUnknown(t *testing.T) {
	t.Parallel()
	s, err := gitconfig.Parse("https://bitbucket.org", map[string]string{"grant": "jwt", "clientSecretFiel": "/x"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Grant != "jwt" || len(s.Unknown) != 1 || s.Unknown[0] != "clientsecretfiel" {
		t.Errorf("Parse: grant %q, unknown %q", s.Grant, s.Unknown)
	}
	if _, err := gitconfig.Parse("https://bitbucket.org", map[string]string{"grant": "nope"}); err == nil {
		t.Error("Parse accepted grant=nope")
	}
}
