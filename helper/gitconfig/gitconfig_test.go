package gitconfig_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// gitEnv returns an environment in which git reads only globalConfig (as
// the global config file): HOME is a temp dir, no system config, and no
// repository above the test's directory.
func gitEnv(t *testing.T, globalConfig string, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gitconfig")
	if err := os.WriteFile(cfg, []byte(globalConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + cfg,
		"GIT_CEILING_DIRECTORIES=" + filepath.Dir(wd), // ignore the repository we are tested in
	}
	return append(env, extra...)
}

func defaults(url string) *gitconfig.Settings {
	return &gitconfig.Settings{
		URL: url, Store: "auto", Interactive: "auto", Timeout: 30 * time.Second,
		RefreshMargin: 5 * time.Minute, AuthType: "basic", TokenPermissions: "REPO_READ,REPO_WRITE",
		TokenExpiryDays: 1,
	}
}

func with(url string, edit func(s *gitconfig.Settings)) *gitconfig.Settings {
	s := defaults(url)
	edit(s)
	return s
}

const matchingConfig = `
[bitbucket]
	authtype = bearer
[bitbucket "https://bitbucket.org"]
	grant = authorization-code
	clientId = cloud-id
[bitbucket "https://bb.example.com:7990"]
	kind = server
	grant = oauth1
	consumerKey = "key with = and spaces"
[bitbucket "https://host/bitbucket"]
	kind = datacenter
	grant = oauth2
[bitbucket "https://host/bitbucket/scm/special"]
	clientId = special
[bitbucket "https://*.wild.example"]
	kind = server
`

func TestLoadURLMatching(t *testing.T) {
	t.Parallel()
	env := gitEnv(t, matchingConfig)
	tests := []struct {
		url  string
		want *gitconfig.Settings
	}{
		{"https://bitbucket.org", with("https://bitbucket.org", func(s *gitconfig.Settings) {
			s.Grant, s.ClientID, s.AuthType = "authorization-code", "cloud-id", "bearer"
		})},
		{"https://alice@bitbucket.org/acme/widgets.git", with("https://alice@bitbucket.org/acme/widgets.git", func(s *gitconfig.Settings) {
			s.Grant, s.ClientID, s.AuthType = "authorization-code", "cloud-id", "bearer"
		})},
		{"http://bitbucket.org", with("http://bitbucket.org", func(s *gitconfig.Settings) { s.AuthType = "bearer" })},
		{"https://bb.example.com:7990/scm/p/r.git", with("https://bb.example.com:7990/scm/p/r.git", func(s *gitconfig.Settings) {
			s.Kind, s.Grant, s.ConsumerKey, s.AuthType = "server", "oauth1", "key with = and spaces", "bearer"
		})},
		// The port is part of the host: no match without it.
		{"https://bb.example.com", with("https://bb.example.com", func(s *gitconfig.Settings) { s.AuthType = "bearer" })},
		{"https://bb.example.com:7991", with("https://bb.example.com:7991", func(s *gitconfig.Settings) { s.AuthType = "bearer" })},
		// Paths match as prefixes on '/' boundaries.
		{"https://host/bitbucket/scm/x.git", with("https://host/bitbucket/scm/x.git", func(s *gitconfig.Settings) {
			s.Kind, s.Grant, s.AuthType = "datacenter", "oauth2", "bearer"
		})},
		{"https://host/bitbucket", with("https://host/bitbucket", func(s *gitconfig.Settings) {
			s.Kind, s.Grant, s.AuthType = "datacenter", "oauth2", "bearer"
		})},
		{"https://host/bitbucketx", with("https://host/bitbucketx", func(s *gitconfig.Settings) { s.AuthType = "bearer" })},
		{"https://host/bitbucket/scm/special/r.git", with("https://host/bitbucket/scm/special/r.git", func(s *gitconfig.Settings) {
			s.Kind, s.Grant, s.ClientID, s.AuthType = "datacenter", "oauth2", "special", "bearer"
		})},
		{"https://a.wild.example/x", with("https://a.wild.example/x", func(s *gitconfig.Settings) {
			s.Kind, s.AuthType = "server", "bearer"
		})},
		{"https://bitbucket.org.evil.com", with("https://bitbucket.org.evil.com", func(s *gitconfig.Settings) { s.AuthType = "bearer" })},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			got, err := gitconfig.Load(context.Background(), "", tc.url, env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load(%s) mismatch (-want +got):\n%s", tc.url, diff)
			}
		})
	}
}

func TestLoadNothingConfigured(t *testing.T) {
	t.Parallel()
	got, err := gitconfig.Load(context.Background(), "git", "https://bitbucket.org", gitEnv(t, ""))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(defaults("https://bitbucket.org"), got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if got.Configured() {
		t.Error("Configured() = true with no config")
	}
}

func TestLoadAllKeys(t *testing.T) {
	t.Parallel()
	const cfg = `[bitbucket "https://bb.example.com"]
	kind = DataCenter
	grant = oauth1-impersonate
	clientId = cid
	clientSecret = csecret
	clientSecretFile = ~/secret
	consumerKey = ck
	privateKeyFile = /keys/link.pem
	user = svc-ci
	jwtKey = app-key
	jwtClientKey = client-key
	jwtSharedSecret = shared
	scopes = repository account
	redirectURL = http://127.0.0.1:8765/callback
	apiURL = https://bb.example.com/rest
	store = keyring
	interactive = false
	timeout = 45
	refreshMargin = 90s
	authtype = Bearer
	tokenPermissions = REPO_READ
	tokenExpiryDays = 7
`
	got, err := gitconfig.Load(context.Background(), "", "https://bb.example.com/scm/p/r.git", gitEnv(t, cfg))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &gitconfig.Settings{
		URL: "https://bb.example.com/scm/p/r.git", Kind: "datacenter", Grant: "oauth1-impersonate",
		ClientID: "cid", ClientSecret: "csecret", ClientSecretFile: "~/secret", ConsumerKey: "ck",
		PrivateKeyFile: "/keys/link.pem", User: "svc-ci", JWTKey: "app-key", JWTClientKey: "client-key",
		JWTSharedSecret: "shared", Scopes: "repository account", RedirectURL: "http://127.0.0.1:8765/callback",
		APIURL: "https://bb.example.com/rest", Store: "keyring", Interactive: "never", Timeout: 45 * time.Second,
		RefreshMargin: 90 * time.Second, AuthType: "bearer", TokenPermissions: "REPO_READ", TokenExpiryDays: 7,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if !got.Configured() {
		t.Error("Configured() = false")
	}
}

func TestLoadEnvOverrides(t *testing.T) {
	t.Parallel()
	const cfg = `[bitbucket "https://bb.example.com"]
	kind = server
	grant = oauth1
	clientSecret = from-config
	tokenExpiryDays = 3
`
	env := gitEnv(t, cfg,
		"GIT_CREDENTIAL_BITBUCKET_GRANT=oauth1-2lo",
		"GIT_CREDENTIAL_BITBUCKET_CLIENT_ID=env-id",
		"GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=first",
		"GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=from-env", // the last one wins
		"GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET_FILE=/run/secret",
		"GIT_CREDENTIAL_BITBUCKET_JWT_SHARED_SECRET=jwt",
		"GIT_CREDENTIAL_BITBUCKET_API_URL=https://api.example.com",
		"GIT_CREDENTIAL_BITBUCKET_REDIRECT_URL=http://localhost:9999/cb",
		"GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN=10m",
		"GIT_CREDENTIAL_BITBUCKET_TIMEOUT=1m30s",
		"GIT_CREDENTIAL_BITBUCKET_TOKEN_EXPIRY_DAYS=2",
		"GIT_CREDENTIAL_BITBUCKET_TOKEN_PERMISSIONS=REPO_READ",
		"GIT_CREDENTIAL_BITBUCKET_AUTHTYPE=bearer",
		"GIT_CREDENTIAL_BITBUCKET_INTERACTIVE=never",
		"GIT_CREDENTIAL_BITBUCKET_KIND=", // empty: ignored, config stays
		"GIT_CREDENTIAL_BITBUCKET_TRACE=1",
		"GIT_CREDENTIAL_BITBUCKET_clientid=lowercase-is-not-a-key",
	)
	got, err := gitconfig.Load(context.Background(), "", "https://bb.example.com", env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := with("https://bb.example.com", func(s *gitconfig.Settings) {
		s.Kind, s.Grant, s.ClientID, s.ClientSecret, s.ClientSecretFile = "server", "oauth1-2lo", "env-id", "from-env", "/run/secret"
		s.JWTSharedSecret, s.APIURL, s.RedirectURL = "jwt", "https://api.example.com", "http://localhost:9999/cb"
		s.RefreshMargin, s.Timeout, s.TokenExpiryDays, s.TokenPermissions = 10*time.Minute, 90*time.Second, 2, "REPO_READ"
		s.AuthType, s.Interactive = "bearer", "never"
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadEnvWithoutConfig(t *testing.T) {
	t.Parallel()
	env := gitEnv(t, "", "GIT_CREDENTIAL_BITBUCKET_KIND=server")
	got, err := gitconfig.Load(context.Background(), "", "https://bb.example.com", env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Kind != "server" || !got.Configured() {
		t.Errorf("Kind = %q, Configured = %v; want server, true", got.Kind, got.Configured())
	}
}

func TestLoadEmptyValueResets(t *testing.T) {
	t.Parallel()
	const cfg = `[bitbucket]
	kind = server
	timeout = 5s
[bitbucket "https://bb.example.com"]
	kind =
	timeout =
`
	got, err := gitconfig.Load(context.Background(), "", "https://bb.example.com", gitEnv(t, cfg))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(defaults("https://bb.example.com"), got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  string
		env     string
		want    string // the whole error
		notWant string
	}{
		{name: "kind", config: "kind = cluod", want: `invalid bitbucket.kind "cluod": want one of cloud, server, datacenter`},
		{name: "grant", config: "grant = password", want: `invalid bitbucket.grant "password": want one of authorization-code, client-credentials, implicit, jwt, oauth1, oauth1-2lo, oauth1-impersonate, oauth2, static`},
		{name: "authtype", config: "authtype = digest", want: `invalid bitbucket.authtype "digest": want one of basic, bearer`},
		{name: "store", config: "store = memory", want: `invalid bitbucket.store "memory": want one of auto, file, keyring`},
		{name: "interactive", config: "interactive = sometimes", want: `invalid bitbucket.interactive "sometimes": want auto or never`},
		{name: "timeout", config: "timeout = soon", want: `invalid bitbucket.timeout "soon": want a duration such as 30s or 5m`},
		{name: "zero timeout", config: "timeout = 0s", want: `invalid bitbucket.timeout "0s": must be greater than zero`},
		{name: "negative margin", config: "refreshMargin = -1m", want: `invalid bitbucket.refreshMargin "-1m": must not be negative`},
		{name: "expiry days", config: "tokenExpiryDays = 0", want: `invalid bitbucket.tokenExpiryDays "0": want a whole number of days, at least 1`},
		{name: "expiry days text", config: "tokenExpiryDays = one", want: `invalid bitbucket.tokenExpiryDays "one": want a whole number of days, at least 1`},
		{name: "api url", config: "apiURL = api.bitbucket.org", want: `invalid bitbucket.apiURL "api.bitbucket.org": want an absolute http or https URL`},
		{name: "env", env: "GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN=5 minutes", want: `invalid GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN "5 minutes": want a duration such as 30s or 5m`},
		{name: "env beats good config", config: "kind = server", env: "GIT_CREDENTIAL_BITBUCKET_KIND=bitbucket", want: `invalid GIT_CREDENTIAL_BITBUCKET_KIND "bitbucket": want one of cloud, server, datacenter`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var extra []string
			if tc.env != "" {
				extra = append(extra, tc.env)
			}
			env := gitEnv(t, "[bitbucket]\n\t"+tc.config+"\n", extra...)
			got, err := gitconfig.Load(context.Background(), "", "https://bitbucket.org", env)
			if err == nil {
				t.Fatalf("Load = %+v, want an error", got)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func TestLoadSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  string
		env     string
		want    *gitconfig.Settings
		wantErr string
	}{
		{
			name:   "trimmed",
			config: "clientSecret = \" hunter2 \"\n\tjwtSharedSecret = hunter3",
			env:    "GIT_CREDENTIAL_BITBUCKET_JWT_SHARED_SECRET=hunter4\n",
			want:   with("https://bitbucket.org", func(s *gitconfig.Settings) { s.ClientSecret, s.JWTSharedSecret = "hunter2", "hunter4" }),
		},
		{name: "control character in config", config: "clientSecret = \"hunter2\\tx\"", wantErr: "invalid bitbucket.clientSecret (hidden): contains a control character"},
		{name: "control character in env", env: "GIT_CREDENTIAL_BITBUCKET_JWT_SHARED_SECRET=hunter4\x1b[0m", wantErr: "invalid GIT_CREDENTIAL_BITBUCKET_JWT_SHARED_SECRET (hidden): contains a control character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var extra []string
			if tc.env != "" {
				extra = append(extra, tc.env)
			}
			got, err := gitconfig.Load(context.Background(), "", "https://bitbucket.org", gitEnv(t, "[bitbucket]\n\t"+tc.config+"\n", extra...))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Load error = %v, want %s", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter") {
					t.Errorf("error %q shows a secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadBrokenConfig(t *testing.T) {
	t.Parallel()
	env := gitEnv(t, "[bitbucket\n\tkind = server\n")
	_, err := gitconfig.Load(context.Background(), "", "https://bitbucket.org", env)
	if err == nil {
		t.Fatal("Load succeeded on a broken config file")
	}
	msg := err.Error()
	if !strings.Contains(msg, "bad config line 1") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line quoting git's message", msg)
	}
}

func TestLoadBadURL(t *testing.T) {
	t.Parallel()
	_, err := gitconfig.Load(context.Background(), "", "not a url", gitEnv(t, ""))
	if err == nil || !strings.Contains(err.Error(), "invalid URL") {
		t.Fatalf("Load = %v, want git's invalid URL error", err)
	}
}

func TestLoadMissingGit(t *testing.T) {
	t.Parallel()
	_, err := gitconfig.Load(context.Background(), filepath.Join(t.TempDir(), "no-git"), "https://bitbucket.org", gitEnv(t, ""))
	if err == nil || !strings.Contains(err.Error(), "run git config") {
		t.Fatalf("Load = %v, want a run error", err)
	}
}

func TestLoadCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := gitconfig.Load(ctx, "", "https://bitbucket.org", gitEnv(t, ""))
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("Load = %v, want context canceled", err)
	}
}

// TestLoadRunsGitOnce points Load at a wrapper that counts its calls.
func TestLoadRunsGitOnce(t *testing.T) {
	t.Parallel()
	realGit, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	wrapper := filepath.Join(dir, "git")
	script := "#!/bin/sh\necho \"$*\" >> '" + count + "'\nexec '" + realGit + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	const cfg = "[bitbucket \"https://bb.example.com\"]\n\tkind = server\n\tgrant = oauth1\n\tclientSecretFile = /x\n"
	for _, url := range []string{"https://bb.example.com/scm/p/r.git", "https://other.example.com"} {
		if err := os.Remove(count); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if _, err := gitconfig.Load(context.Background(), wrapper, url, gitEnv(t, cfg)); err != nil {
			t.Fatalf("Load(%s): %v", url, err)
		}
		calls, err := os.ReadFile(count)
		if err != nil {
			t.Fatal(err)
		}
		want := "config -z --get-urlmatch bitbucket " + url + "\n"
		if diff := cmp.Diff(want, string(calls)); diff != "" {
			t.Errorf("git calls for %s (-want +got):\n%s", url, diff)
		}
	}
}
