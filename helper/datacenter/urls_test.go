package datacenter

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, remote, apiURL, want, wantErr string
	}{
		{"host only", "https://bb.example.com", "", "https://bb.example.com", ""},
		{"port and context path", "https://bb.example.com:8443/bitbucket", "", "https://bb.example.com:8443/bitbucket", ""},
		{"path git sent", "https://bb.example.com:8443/bitbucket/scm/proj/widgets.git", "", "https://bb.example.com:8443/bitbucket", ""},
		{"no context path, repo path", "https://bb.example.com/scm/proj/widgets.git", "", "https://bb.example.com", ""},
		{"nested context path", "https://bb.example.com/a/b/scm/proj/r.git", "", "https://bb.example.com/a/b", ""},
		{"user and query dropped", "https://alice@bb.example.com/bitbucket/?x=1", "", "https://bb.example.com/bitbucket", ""},
		{"apiURL wins", "https://bb.example.com", "https://api.example.com:7990/ctx/", "https://api.example.com:7990/ctx", ""},
		{"loopback http", "http://127.0.0.1:7990/bitbucket", "", "http://127.0.0.1:7990/bitbucket", ""},
		{"plain http refused", "http://bb.example.com", "", "", "plain http is refused"},
		{"plain http to a look-alike refused", "http://127.example.com", "", "", "plain http is refused"},
		{"ipv6 loopback http", "http://[::1]:7990/bb", "", "http://[::1]:7990/bb", ""},
		{"bad apiURL", "https://bb.example.com", "not a url", "", "not an absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			remote, err := url.Parse(tt.remote)
			if err != nil {
				t.Fatal(err)
			}
			got, err := BaseURL(remote, &gitconfig.Settings{APIURL: tt.apiURL})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("BaseURL error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("BaseURL = %s, want %s", got, tt.want)
			}
			// Every URL built on it keeps port and context path.
			if e := endpoint(got, "rest", "access-tokens", "1.0", "users", "al ice"); e.String() != tt.want+"/rest/access-tokens/1.0/users/al%20ice" {
				t.Errorf("endpoint = %s", e)
			}
		})
	}
}

func TestContextPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"bitbucket/scm/proj/repo.git":  "bitbucket",
		"/bitbucket/scm/proj/repo.git": "bitbucket",
		"scm/proj/repo.git":            "",
		"/bitbucket/":                  "bitbucket",
		"":                             "",
		"a/b/scm/~alice/r.git":         "a/b",
	} {
		if got := ContextPath(in); got != want {
			t.Errorf("ContextPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsServerChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []string
		want bool
	}{
		{[]string{`Basic realm="Atlassian Bitbucket"`}, true},
		{[]string{`Bearer realm="x"`, `basic realm="Atlassian Bitbucket", charset="UTF-8"`}, true},
		{[]string{`Basic realm="Bitbucket.org HTTP"`}, false},
		{[]string{`OAuth realm="Atlassian Bitbucket"`}, false},
		{[]string{`Basic realm="Atlassian Bitbucket Evil"`}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsServerChallenge(tt.in); got != tt.want {
			t.Errorf("IsServerChallenge(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
