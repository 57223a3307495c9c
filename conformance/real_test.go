package conformance

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReal runs the suite against a real Bitbucket configured by the
// environment (README.md); it skips when none is configured, and fails then
// when CONFORMANCE_REQUIRE_REAL=1.
func TestReal(t *testing.T) {
	t.Parallel()
	runReal(t)
}

func runReal(t *testing.T) {
	t.Helper()
	cfg, err := RealFromEnv(os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		t.Skip("no real Bitbucket configured (set CONFORMANCE_CLOUD_CLIENT_ID or CONFORMANCE_SERVER_URL; see conformance/README.md)")
	}
	Run(t, Real(cfg))
}

// TestRealModeOnMock covers the real-target code path here, where no real
// Bitbucket is reachable: it starts a bitbucket-mock, obtains the
// pre-consented tokens a user would put in files, sets the very environment
// variables a real run reads, and runs the real-target mode against it.
func TestRealModeOnMock(t *testing.T) {
	f := &binaryFactory{path: mockBin(t), dir: t.TempDir()}
	if err := f.prepare(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.stopShared)
	tgt, err := newBinaryTarget(f.shared, f.fixtures, f)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, tgt)
	c, s := tgt.Cloud(), tgt.Server()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyFile := func(name string, l *AppLink) string {
		return write(name, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(l.Key)})))
	}

	// What a user does once, in a browser, before a real run.
	cloudRT := str(e.cloudUserTokens(t, c, c.Private), "refresh_token")
	access := e.oauth1Dance(t, s, s.Link)
	dcRT := str(e.dcTokens(t, s), "refresh_token")

	vars := map[string]string{
		envCloudURL:          c.URL,
		envCloudClientID:     c.Private.Key,
		envCloudSecretFile:   write("cloud-secret", c.Private.Secret),
		envCloudScopes:       strings.Join(c.Private.Scopes, " "),
		envCloudRefreshFile:  write("cloud-refresh", cloudRT+"\n"),
		envCloudOwner:        c.SessionUser,
		envCloudRepo:         c.Repo.Path(),
		envCloudPublicID:     c.Public.Key,
		envCloudPublicSecret: c.Public.Secret,
		envCloudJWTKey:       c.Connect.Key,
		envCloudJWTClientKey: c.Connect.ClientKey,
		envCloudJWTSecret:    c.Connect.SharedSecret,
		envCloudJWTWorkspace: c.Connect.InstalledFor,
		envCloudJWTScopes:    strings.Join(c.Connect.Scopes, " "),

		envServerURL:           s.URL,
		envServerConsumerKey:   s.Link.ConsumerKey,
		envServerKeyFile:       keyFile("link.pem", s.Link),
		envServerAccessFile:    write("oauth1-access", "oauth_token="+access.Get("oauth_token")+"&oauth_token_secret="+access.Get("oauth_token_secret")),
		envServerUser:          s.User.Slug,
		envServerPassword:      s.User.Password,
		envServerRepo:          s.Repo.Project + "/" + s.Repo.Slug,
		envServerExecuteAs:     s.Link.ExecuteAs,
		envServerImpersonate:   s.Impersonate,
		envServer3LOKey:        s.ThreeLOOnly.ConsumerKey,
		envServer3LOKeyFile:    keyFile("3lo.pem", s.ThreeLOOnly),
		envServerOAuth2ID:      s.OAuth2.ID,
		envServerOAuth2Secret:  s.OAuth2.Secret,
		envServerOAuth2Redir:   s.OAuth2.RedirectURI,
		envServerOAuth2Refresh: write("dc-refresh", dcRT+"\n"),
		envServerOAuth2Scopes:  strings.Join(s.OAuth2.Scopes, " "),
		envRequireReal:         "1",
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	runReal(t)
}
