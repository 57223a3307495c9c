package cli

import (
	"net/url"
	"strings"
	"testing"
)

func TestHelperApplies(t *testing.T) {
	t.Parallel()
	remote, _ := url.Parse("https://git.example.com/bitbucket")
	tests := []struct {
		key  string
		want bool
	}{
		{"credential.helper", true},
		{"credential.https://git.example.com.helper", true},
		{"credential.https://git.example.com/bitbucket.helper", true},
		{"credential.https://*.example.com.helper", true},
		{"credential.git.example.com.helper", true}, // no scheme: any
		{"credential.https://other.example.com.helper", false},
		{"credential.http://git.example.com.helper", false},
		{"credential.https://git.example.com/other.helper", false},
		{"credential.https://git.example.com.username", false},
		{"http.https://git.example.com.proxy", false},
	}
	for _, tt := range tests {
		if _, got := helperApplies(tt.key, remote); got != tt.want {
			t.Errorf("helperApplies(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestHelperDoes(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"store":               "~/.git-credentials in plain text",
		"store --file /tmp/x": "~/.git-credentials in plain text",
		"cache --timeout 60":  "in memory for its timeout",
		"/usr/lib/git-core/git-credential-libsecret": "system keychain",
		"manager":           "system keychain",
		"!f() { echo; }; f": "receives every token",
	}
	for in, want := range tests {
		if got := helperDoes(in); !strings.Contains(got, want) {
			t.Errorf("helperDoes(%q) = %q, want it to say %q", in, got, want)
		}
	}
}
