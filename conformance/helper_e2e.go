package conformance

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"embed"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

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

// browserCommand is the $BROWSER of the scripts.
const browserCommand = "conformance-browser"

// Commands are the programs the helper scripts run besides git and the
// helper, for testscript.Main.
func Commands() map[string]func() {
	return map[string]func(){browserCommand: browserMain}
}

// browserMain opens its argument like a person who approves every consent
// page, following redirects to the helper's loopback listener.
func browserMain() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: "+browserCommand+" URL")
		os.Exit(2)
	}
	if err := browse(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, browserCommand+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func browse(u string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	c := &http.Client{Timeout: 20 * time.Second, Jar: jar}
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	for range 3 {
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		f, ok := findConsentForm(string(body))
		if resp.StatusCode != http.StatusOK || !ok {
			break
		}
		action, err := resp.Request.URL.Parse(f.action)
		if err != nil {
			return err
		}
		if f.method == http.MethodGet {
			action.RawQuery = f.values.Encode()
			resp, err = c.Get(action.String())
		} else {
			resp, err = c.PostForm(action.String(), f.values)
		}
		if err != nil {
			return err
		}
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("final page %s: %s", resp.Request.URL.Redacted(), resp.Status)
	}
	return nil
}

// Option configures Run.
type Option func(*options)

type options struct {
	helper string // git-credential-bitbucket binary; "" = no helper cases
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
		"BROWSER":                          browserCommand,
		"GIT_CREDENTIAL_BITBUCKET_TIMEOUT": "20s",
		"BRANCH":                           "conformance-" + randomHex(4),
		"CLOUD_URL":                        c.URL,
		"CLOUD_HOST":                       hostOf(c.URL),
		"CLOUD_USER":                       c.SessionUser,
		"SERVER_URL":                       s.URL,
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

// scriptCommands are the scripts' own commands, all through the target's
// abilities:
//
//	mock advance DURATION          move the target's clock
//	mock fault JSON                queue a fault (mockserver.Fault)
//	mock revoke-password FILE      revoke the password= of a `git credential fill` output
//	mock requests PREFIX           print "request METHOD PATH grant=G client=C status=S" lines
//	writelines FILE LINE...        write the lines (after variable expansion) to FILE
//	credfill IN OUT                `git credential fill` < IN > OUT; prints the answer with the
//	                               password replaced by "REDACTED len=N class=base64|urlsafe|other"
//	parallel-fill N FILE           run N `git credential fill` at once with FILE as input;
//	                               fails unless all succeed with one and the same password
func (e *env) scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"mock": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg {
				ts.Fatalf("mock does not support !")
			}
			if len(args) != 2 {
				ts.Fatalf("usage: mock advance|fault|revoke-password|requests ARG")
			}
			switch args[0] {
			case "advance":
				d, err := time.ParseDuration(args[1])
				ts.Check(err)
				c, ok := e.tgt.(Clock)
				if !ok {
					ts.Fatalf("target cannot move its clock")
				}
				ts.Check(c.Advance(e.ctx, d))
			case "fault":
				var f mockserver.Fault
				ts.Check(json.Unmarshal([]byte(args[1]), &f))
				fl, ok := e.tgt.(Faults)
				if !ok {
					ts.Fatalf("target cannot inject faults")
				}
				ts.Check(fl.AddFault(e.ctx, f))
			case "revoke-password":
				pw := credField(ts.ReadFile(args[1]), "password")
				if pw == "" {
					ts.Fatalf("%s has no password= line", args[1])
				}
				rv, ok := e.tgt.(Revoker)
				if !ok {
					ts.Fatalf("target cannot revoke tokens")
				}
				ts.Check(rv.Revoke(e.ctx, pw))
			case "requests":
				log, ok := e.tgt.(RequestLog)
				if !ok {
					ts.Fatalf("target has no request log")
				}
				reqs, err := log.Requests(e.ctx, args[1])
				ts.Check(err)
				for _, r := range reqs {
					fmt.Fprintf(ts.Stdout(), "request %s %s grant=%s client=%s status=%d\n", r.Method, r.Path, r.Grant, r.Client, r.Status)
				}
			default:
				ts.Fatalf("unknown mock command %q", args[0])
			}
		},
		"writelines": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) < 1 {
				ts.Fatalf("usage: writelines FILE LINE...")
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(args[1:], "\n")+"\n"), 0o600))
		},
		"credfill": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: credfill IN OUT")
			}
			cmd := exec.Command("git", "credential", "fill")
			cmd.Dir = ts.Getenv("WORK")
			cmd.Env = scriptEnviron(ts)
			cmd.Stdin = strings.NewReader(ts.ReadFile(args[0]))
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out.String()), 0o600))
			fmt.Fprint(ts.Stdout(), redactCredential(out.String()))
			fmt.Fprint(ts.Stderr(), errb.String())
			if (err != nil) != neg {
				ts.Fatalf("git credential fill: %v", err)
			}
		},
		"parallel-fill": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: parallel-fill N FILE")
			}
			var n int
			if _, err := fmt.Sscan(args[0], &n); err != nil || n < 1 || n > 64 {
				ts.Fatalf("parallel-fill: bad count %q", args[0])
			}
			input := ts.ReadFile(args[1])
			outs, errs := make([]string, n), make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					cmd := exec.Command("git", "credential", "fill")
					cmd.Dir = ts.Getenv("WORK")
					cmd.Env = scriptEnviron(ts)
					cmd.Stdin = strings.NewReader(input)
					var out strings.Builder
					cmd.Stdout = &out
					errs[i] = cmd.Run()
					outs[i] = out.String()
				})
			}
			wg.Wait()
			pw := ""
			for i := range n {
				if errs[i] != nil {
					ts.Fatalf("fill %d: %v", i, errs[i])
				}
				p := credField(outs[i], "password")
				if p == "" || (pw != "" && p != pw) {
					ts.Fatalf("fill %d gave no password or another one than fill 0", i)
				}
				pw = p
			}
			fmt.Fprintf(ts.Stdout(), "fills=%d same-password=true\n", n)
		},
	}
}

// scriptEnviron is the script's environment for a subprocess.
func scriptEnviron(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_ASKPASS",
		"BROWSER", "GIT_CREDENTIAL_BITBUCKET_TIMEOUT", "GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN", "GIT_TERMINAL_PROMPT",
		"TMPDIR", "LANG"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	h, _, _ := strings.Cut(rest, "/")
	return h
}

// redactCredential hides the password of a credential answer but keeps its
// shape, so scripts can check it without logging it.
func redactCredential(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if v, ok := strings.CutPrefix(l, "password="); ok {
			l = fmt.Sprintf("password=REDACTED len=%d class=%s", len(v), charClass(v))
		}
		if l != "" {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func charClass(v string) string {
	switch {
	case isBase64Std(v):
		return "base64"
	case isURLSafe(v):
		return "urlsafe"
	}
	return "other"
}

func isBase64Std(v string) bool {
	_, err := base64.StdEncoding.DecodeString(v)
	return err == nil
}

// credField reads one attribute of git's credential format.
func credField(s, key string) string {
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v
		}
	}
	return ""
}
