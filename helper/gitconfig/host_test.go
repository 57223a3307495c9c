package gitconfig_test

import (
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

func TestIsCloudHost(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"bitbucket.org":          true,
		"BitBucket.ORG":          true,
		"bitbucket.org:443":      true,
		"bitbucket.org:8443":     false,
		"bitbucket.org:":         false,
		"bitbucket.org.":         false,
		"evilbitbucket.org":      false,
		"bitbucket.org.evil.com": false,
		"api.bitbucket.org":      false,
		"user@bitbucket.org":     false,
		"":                       false,
	}
	for host, want := range tests {
		if got := gitconfig.IsCloudHost(host); got != want {
			t.Errorf("IsCloudHost(%q) = %v, want %v", host, got, want)
		}
	}
}
