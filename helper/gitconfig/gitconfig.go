// Package gitconfig reads the bitbucket.* settings for one remote with a
// single `git config -z --get-urlmatch bitbucket <url>` call, applies
// GIT_CREDENTIAL_BITBUCKET_<KEY> environment overrides, and reads secret files.
package gitconfig

import (
	"context"
	"time"
)

// Settings are the bitbucket.<url>.* keys of the design, typed.
type Settings struct {
	URL string // the remote URL the settings were matched for

	Kind             string // cloud, server, datacenter ("" when not configured)
	Grant            string
	ClientID         string
	ClientSecret     string
	ClientSecretFile string
	ConsumerKey      string
	PrivateKeyFile   string
	User             string
	JWTKey           string
	JWTClientKey     string
	JWTSharedSecret  string
	Scopes           string
	RedirectURL      string
	APIURL           string
	Store            string // file (default), keyring
	Interactive      string // auto (default), never
	Timeout          time.Duration
	RefreshMargin    time.Duration // default 5m
	AuthType         string        // basic (default), bearer
	TokenPermissions string        // default REPO_READ,REPO_WRITE
	TokenExpiryDays  int           // default 1
}

// Load runs git (the binary path; "git" when empty) once and returns the
// settings for url, with env (KEY=VALUE list) overrides applied.
func Load(ctx context.Context, git, url string, env []string) (*Settings, error) {
	panic("gitconfig.Load: not written yet")
}

// ReadSecretFile reads a secret file, refusing one that group or others can read.
func ReadSecretFile(path string) ([]byte, error) { panic("gitconfig: not written yet") }

// IsCloudHost reports whether host (with optional port) is Bitbucket Cloud:
// exactly bitbucket.org (port 443 or none). Not bitbucket.org.evil.com.
func IsCloudHost(host string) bool { panic("gitconfig: not written yet") }
