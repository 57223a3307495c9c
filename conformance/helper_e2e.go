package conformance

import (
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/internal/scripttest"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// The helper's end-to-end cases are testscript scripts under
// testdata/script, one case each (area "helper"), run with the real git and
// the git-credential-bitbucket binary against the target's mock. They need
// two things from the calling test binary: the helper's path (WithHelper)
// and the browser command, registered by
//
//	func TestMain(m *testing.M) { testscript.Main(m, conformance.Commands()) }

//go:embed testdata/script/*.txtar
var scripts embed.FS

// Option configures Run.
type Option func(*options)

type options struct {
	helper  string // git-credential-bitbucket binary; "" = no helper cases
	hostile string // the same, for the hostile area (binary target only)
}

// WithHelper adds the helper's end-to-end cases, run with the binary at path.
func WithHelper(path string) Option {
	return func(o *options) { o.helper = path }
}

// helperCases are one case per script.
func helperCases(o options) []testCase {
	if o.helper == "" {
		return nil
	}
	names, err := fs.Glob(scripts, "testdata/script/*.txtar")
	if err != nil {
		panic(err) // a constant pattern
	}
	var cs []testCase
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".txtar")
		cs = append(cs, testCase{area: "helper", name: name, exclusive: true, fn: func(t *testing.T, e *env) {
			e.runScript(t, n, o.helper)
		}})
	}
	return cs
}

// runScript runs one script against e's target.
func (e *env) runScript(t *testing.T, file, helper string) {
	t.Helper()
	mock, ok := e.tgt.(Mock)
	if !ok {
		t.Skip("the helper's end-to-end scripts run against the mock")
	}
	c, s := e.cloud(t), e.server(t)
	src, err := scripts.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	local := filepath.Join(dir, path.Base(file))
	if err := os.WriteFile(local, src, 0o644); err != nil {
		t.Fatal(err)
	}
	helperDir, err := filepath.Abs(filepath.Dir(helper))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Files:               []string{local},
		WorkdirRoot:         t.TempDir(),
		RequireExplicitExec: true,
		Setup: func(se *testscript.Env) error {
			return scriptEnv(se, helperDir, c, s)
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "2lo-can-write":
				return serverCanWrite(mock.Fixtures(), s.Link.ExecuteAs, s.Repo), nil
			case "modern-git":
				// common.md: skip without MODERN_GIT, but fail on CI.
				if os.Getenv("MODERN_GIT") == "" && os.Getenv("CI") == "true" {
					return false, fmt.Errorf("MODERN_GIT is not set on CI")
				}
				return os.Getenv("MODERN_GIT") != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: e.scriptCommands(),
	})
}

// scriptEnv gives a script an isolated home and the target's coordinates.
func scriptEnv(se *testscript.Env, helperDir string, c *Cloud, s *Server) error {
	work := se.WorkDir
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o700); err != nil {
		return err
	}
	secret := func(name, v string) (string, error) {
		p := filepath.Join(work, ".secrets", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return "", err
		}
		return p, os.WriteFile(p, []byte(v+"\n"), 0o600)
	}
	key := func(name string, l *AppLink) (string, error) {
		return secret(name, string(pemRSA(l.Key)))
	}
	vars := map[string]string{
		"PATH":                             helperDir + string(os.PathListSeparator) + se.Getenv("PATH"),
		"HOME":                             home,
		"XDG_CONFIG_HOME":                  filepath.Join(home, ".config"),
		"XDG_STATE_HOME":                   filepath.Join(home, ".local", "state"),
		"GIT_CONFIG_NOSYSTEM":              "1",
		"GIT_AUTHOR_NAME":                  "Conformance",
		"GIT_AUTHOR_EMAIL":                 "conformance@example.invalid",
		"GIT_COMMITTER_NAME":               "Conformance",
		"GIT_COMMITTER_EMAIL":              "conformance@example.invalid",
		"GIT_ASKPASS":                      "false",
		"BROWSER":                          scripttest.Browser,
		"GIT_CREDENTIAL_BITBUCKET_TIMEOUT": "20s",
		"BRANCH":                           "conformance-" + randomHex(4),
		"MODERN_GIT":                       os.Getenv("MODERN_GIT"),
		"CLOUD_URL":                        c.URL,
		"CLOUD_HOST":                       hostOf(c.URL),
		"CLOUD_USER":                       c.SessionUser,
		"SERVER_URL":                       s.URL,
		"SERVER_CONTEXT":                   s.ContextPath,
	}
	if c.Private != nil {
		vars["CLOUD_CLIENT_ID"] = c.Private.Key
		p, err := secret("cloud-secret", c.Private.Secret)
		if err != nil {
			return err
		}
		vars["CLOUD_SECRET_FILE"] = p
	}
	if c.Repo != nil {
		vars["CLOUD_REPO"] = c.URL + "/" + c.Repo.Path() + ".git"
	}
	if a := c.Connect; a != nil {
		vars["CONNECT_KEY"], vars["CONNECT_CLIENT_KEY"] = a.Key, a.ClientKey
		p, err := secret("connect-secret", a.SharedSecret)
		if err != nil {
			return err
		}
		vars["CONNECT_SECRET_FILE"] = p
		vars["CONNECT_REPO"] = ""
		if c.Repo != nil && c.Repo.Workspace == a.InstalledFor {
			vars["CONNECT_REPO"] = vars["CLOUD_REPO"]
		}
	}
	if l := s.Link; l != nil {
		p, err := key("link.pem", l)
		if err != nil {
			return err
		}
		vars["SERVER_CONSUMER_KEY"], vars["SERVER_KEY_FILE"] = l.ConsumerKey, p
		vars["SERVER_EXECUTE_AS"] = l.ExecuteAs
	}
	vars["SERVER_IMPERSONATE"] = s.Impersonate
	if s.User != nil {
		vars["SERVER_USER"] = s.User.Slug
	}
	if s.Repo != nil {
		vars["SERVER_REPO"] = serverGitURL(s, *s.Repo)
	}
	if d := s.HelperDC; d != nil {
		p, err := secret("dc-secret", d.Secret)
		if err != nil {
			return err
		}
		vars["DC_CLIENT_ID"], vars["DC_SECRET_FILE"], vars["DC_REDIRECT"] = d.ID, p, d.RedirectURI
	}
	for k, v := range vars {
		se.Setenv(k, v)
	}
	return nil
}

func pemRSA(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func serverCanWrite(f *mockserver.Fixtures, user string, r *ServerRepo) bool {
	if r == nil {
		return false
	}
	for _, p := range f.Server.Projects {
		if p.Key == r.Project {
			perm := p.Permissions[user]
			return perm == "PROJECT_WRITE" || perm == "PROJECT_ADMIN"
		}
	}
	return false
}
