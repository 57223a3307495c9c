package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
	"github.com/bbcred/git-credential-bitbucket/helper/front"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"github.com/bbcred/git-credential-bitbucket/internal/scripttest"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// clockFileEnv names the file holding how far the mock's clock was moved:
// the helper under test runs on the same shifted clock, as it would share
// real time with a real server.
const clockFileEnv = "TEST_CLOCK_FILE"

func TestMain(m *testing.M) {
	programs := scripttest.Programs() // the fake browser
	programs["git-credential-bitbucket"] = helperMain
	programs["git-credential-bitbucket-fast"] = frontMain
	testscript.Main(m, programs)
}

// helperMain is the helper as installed, except for the clock.
func helperMain() {
	app := &cli.App{Now: shiftedClock(os.Getenv(clockFileEnv)), OpenTTY: scriptTTY(os.Getenv(ttyInEnv), os.Getenv(ttyOutEnv))}
	os.Exit(app.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()))
}

// frontMain is the fast front as installed, except for the clock and for
// how it finds the full helper: the commands here are links to this test
// binary, so os.Executable names the binary, not the link, and the full
// helper is the git-credential-bitbucket on PATH (cmd/git-credential-bitbucket-fast
// tests the real lookup with real binaries).
func frontMain() {
	env := os.Environ()
	full, err := exec.LookPath("git-credential-bitbucket")
	if err != nil {
		fmt.Fprintln(os.Stderr, "frontMain:", err)
		os.Exit(1)
	}
	delegate := front.Exec(full, env, os.Stderr)
	if os.Getenv("TEST_FRONT_ALONE") != "" { // the script asserts the front answers get by itself
		fullDelegate := delegate
		delegate = func(args []string, request []byte) int {
			if len(args) == 1 && args[0] == "get" {
				fmt.Fprintln(os.Stderr, "frontMain: the front delegated a get")
				return 0
			}
			return fullDelegate(args, request)
		}
	}
	os.Exit(front.Run(os.Args[1:], os.Stdin, os.Stdout, env, shiftedClock(os.Getenv(clockFileEnv))(), delegate))
}

func shiftedClock(file string) func() time.Time {
	var offset time.Duration
	if file != "" {
		if b, err := os.ReadFile(file); err == nil {
			offset, _ = time.ParseDuration(strings.TrimSpace(string(b)))
		}
	}
	return func() time.Time { return time.Now().Add(offset) }
}

func TestScript(t *testing.T) {
	modern := os.Getenv("MODERN_GIT")
	if modern == "" && os.Getenv("CI") == "true" {
		t.Fatal("MODERN_GIT is not set on CI: the password_expiry_utc and authtype scripts need it")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			return setupScript(env, modern)
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "modern":
				return modern != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: scriptCommands(map[string]scripttest.Cmd{
			"puttoken":   cmdPutToken,
			"startmock":  cmdStartMock,
			"srvget":     cmdSrvGet,
			"listen401":  cmdListen401,
			"envtime":    cmdEnvTime, // static_test.go
			"dctoken":    cmdDCToken,
			"jsonschema": cmdJSONSchema, // schema_test.go
			// login_rig_test.go
			"mkfifo":         cmdMkfifo,
			"listenerclosed": cmdListenerClosed,
		}),
	})
}

// setupScript starts a mock for the script and gives it a home of its own.
func setupScript(env *testscript.Env, modern string) error {
	r, err := mockserver.Start(mockserver.Options{
		ReposDir:    filepath.Join(env.WorkDir, ".mock-repos"),
		AutoApprove: true,
	}, "", "")
	if err != nil {
		return err
	}
	env.Defer(func() { r.Close() })
	home := filepath.Join(env.WorkDir, "home")
	for _, d := range []string{home, filepath.Join(home, ".config")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	for k, v := range mockEnv(r) {
		env.Setenv(k, v)
	}
	for k, v := range map[string]string{
		"HOME":                           home,
		"XDG_CONFIG_HOME":                filepath.Join(home, ".config"),
		"XDG_STATE_HOME":                 filepath.Join(home, ".local", "state"),
		"STORE_FILE":                     filepath.Join(home, ".local", "state", "git-credential-bitbucket", "tokens.json"),
		"GIT_CONFIG_NOSYSTEM":            "1",
		"GIT_AUTHOR_NAME":                "Script",
		"GIT_AUTHOR_EMAIL":               "script@example.invalid",
		"GIT_COMMITTER_NAME":             "Script",
		"GIT_COMMITTER_EMAIL":            "script@example.invalid",
		"GIT_ASKPASS":                    "false", // never a prompt: a helper failure fails the command
		"GIT_CREDENTIAL_BITBUCKET_TRACE": filepath.Join(env.WorkDir, "trace.log"),
		clockFileEnv:                     filepath.Join(env.WorkDir, ".clock-offset"),
		"MODERN_GIT":                     modern,
		// The helper and the fake browser are this race-built test binary:
		// without this every one of those processes sleeps 1s at exit.
		"GORACE":  strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0"),
		"BROWSER": scripttest.Browser,
	} {
		env.Setenv(k, v)
	}
	return nil
}

// mockEnv is what scripts know of a running mock.
func mockEnv(r *mockserver.Running) map[string]string {
	return map[string]string{
		"CLOUD_URL":   r.CloudURL,
		"CLOUD_HOST":  strings.TrimPrefix(strings.TrimPrefix(r.CloudURL, "http://"), "https://"),
		"SERVER_URL":  r.ServerURL,
		"SERVER_HOST": serverHost(r.ServerURL),
	}
}

func serverHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// cmdStartMock starts another mock serving Server/DC under CONTEXT-PATH
// and points the script's CLOUD_URL, CLOUD_HOST and SERVER_URL (and so
// mock and advance) at it: startmock /tools/bitbucket. Use it before
// advance, or the helper's clock and the new mock's disagree.
func cmdStartMock(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: startmock CONTEXT-PATH")
	}
	dir, err := os.MkdirTemp(ts.Getenv("WORK"), ".mock-repos-")
	ts.Check(err)
	r, err := mockserver.Start(mockserver.Options{ReposDir: dir, AutoApprove: true, ContextPath: args[0]}, "", "")
	ts.Check(err)
	ts.Defer(func() { r.Close() })
	for k, v := range mockEnv(r) {
		ts.Setenv(k, v)
	}
}

// cmdSrvGet GETs a Server/DC REST path as the user of a `git credential
// fill` output file (its username and password, Basic), prints the body
// and, for a page of HTTP access tokens, one "token id=ID user=SLUG" line
// per token: srvget /rest/access-tokens/1.0/users/svc-ci current.cred.
// Fails on a status other than 2xx (! expects one).
func cmdSrvGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: srvget PATH CRED-FILE")
	}
	cred := map[string]string{}
	for _, line := range strings.Split(ts.ReadFile(args[1]), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			cred[k] = v
		}
	}
	req, err := http.NewRequest(http.MethodGet, ts.Getenv("SERVER_URL")+args[0], nil)
	ts.Check(err)
	req.SetBasicAuth(cred["username"], cred["password"])
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if (resp.StatusCode/100 != 2) != neg {
		ts.Fatalf("GET %s: %s", args[0], resp.Status)
	}
	fmt.Fprintf(ts.Stdout(), "status %d\n%s\n", resp.StatusCode, b)
	var page struct {
		Values []struct {
			ID   json.RawMessage `json:"id"`
			User struct {
				Slug string `json:"slug"`
			} `json:"user"`
		} `json:"values"`
	}
	if json.Unmarshal(b, &page) == nil {
		for _, v := range page.Values {
			fmt.Fprintf(ts.Stdout(), "token id=%s user=%s\n", strings.Trim(string(v.ID), `"`), v.User.Slug)
		}
	}
}

// storeRecord is the part of the token store file the scripts look at.
type storeRecord struct {
	Key struct {
		Path     string `json:"path"`
		Username string `json:"username"`
	} `json:"key"`
	AccessToken       string `json:"access_token"`
	RefreshToken      string `json:"refresh_token"`
	OAuth1Token       string `json:"oauth1_token"`
	OAuth1TokenSecret string `json:"oauth1_token_secret"`
	Grant             string `json:"grant"`
	Expiry            string `json:"expiry"`
	Identity          string `json:"identity"`
}

func readStore(ts *testscript.TestScript) []storeRecord {
	b, err := os.ReadFile(ts.Getenv("STORE_FILE"))
	if os.IsNotExist(err) {
		return nil
	}
	ts.Check(err)
	var f struct {
		Records []storeRecord `json:"records"`
	}
	ts.Check(json.Unmarshal(b, &f))
	rememberSecrets(ts, f.Records)
	return f.Records
}

// cmdStoreField prints one field of every stored record, one per line:
// storefield [-user NAME] access_token|refresh_token|grant|expiry|path|identity
// (-user: only the records kept for that user name). Token values are
// printed so that scripts can compare them with cmp; they are also
// remembered for nosecrets.
func cmdStoreField(ts *testscript.TestScript, neg bool, args []string) {
	user, only := "", false
	if len(args) == 3 && args[0] == "-user" {
		user, only, args = args[1], true, args[2:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: storefield [-user NAME] FIELD")
	}
	out := ts.Stdout() // even when empty: stdout is this command's output
	for _, r := range readStore(ts) {
		if only && r.Key.Username != user {
			continue
		}
		v := map[string]string{"access_token": r.AccessToken, "refresh_token": r.RefreshToken, "grant": r.Grant, "expiry": r.Expiry,
			"path": r.Key.Path, "identity": r.Identity}[args[0]]
		fmt.Fprintln(out, v)
	}
}

// secretsFile accumulates every secret a script has seen.
func secretsFile(ts *testscript.TestScript) string {
	return filepath.Join(ts.Getenv("WORK"), ".secrets")
}

func rememberSecrets(ts *testscript.TestScript, recs []storeRecord) {
	var b strings.Builder
	for _, r := range recs {
		for _, s := range []string{r.AccessToken, r.RefreshToken, r.OAuth1Token, r.OAuth1TokenSecret} {
			if s != "" {
				b.WriteString(s + "\n")
			}
		}
	}
	f, err := os.OpenFile(secretsFile(ts), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	ts.Check(err)
	defer f.Close()
	io.WriteString(f, b.String())
}

// cmdNoSecrets fails when any FILE holds a secret: the fixtures' consumer
// secrets, Connect shared secrets, Server user passwords, DC client secrets
// and application link private keys, every token the store has held when
// a script looked (storefield, nosecrets), and every password or
// credential line of the *.cred files in $WORK (git credential fill output).
func cmdNoSecrets(ts *testscript.TestScript, neg bool, args []string) {
	readStore(ts)
	secrets := map[string]bool{}
	fx := mockserver.DefaultFixtures()
	for _, c := range fx.Cloud.Consumers {
		secrets[c.Secret] = true
	}
	for _, a := range fx.Cloud.ConnectApps {
		secrets[a.SharedSecret] = true
	}
	for _, a := range fx.Cloud.APITokens {
		secrets[a.Token] = true
	}
	for _, a := range fx.Cloud.AccessTokens {
		secrets[a.Token] = true
	}
	for _, u := range fx.Server.Users {
		secrets[u.Password] = true
	}
	for _, c := range fx.Server.OAuth2Clients {
		secrets[c.ClientSecret] = true
	}
	for _, l := range fx.Server.ApplicationLinks {
		// Any line of the private key's base64 body.
		for _, line := range strings.Split(l.PrivateKeyPEM, "\n") {
			if len(line) >= 32 && !strings.HasPrefix(line, "-----") {
				secrets[line] = true
			}
		}
	}
	b, _ := os.ReadFile(secretsFile(ts))
	for _, s := range strings.Split(string(b), "\n") {
		secrets[s] = true
	}
	creds, _ := filepath.Glob(filepath.Join(ts.Getenv("WORK"), "*.cred"))
	for _, c := range creds {
		b, _ := os.ReadFile(c)
		for _, line := range strings.Split(string(b), "\n") {
			for _, k := range []string{"password=", "credential=", "oauth_refresh_token="} {
				if v, ok := strings.CutPrefix(line, k); ok {
					secrets[v] = true
				}
			}
		}
	}
	delete(secrets, "")
	if len(args) == 0 {
		ts.Fatalf("usage: nosecrets FILE...")
	}
	for _, name := range args {
		if name != "stdout" && name != "stderr" {
			if _, err := os.Stat(ts.MkAbs(name)); os.IsNotExist(err) {
				continue
			}
		}
		data := ts.ReadFile(name)
		for s := range secrets {
			if len(s) >= 4 && strings.Contains(data, s) {
				ts.Fatalf("%s contains a secret (%s...)", name, s[:4])
			}
		}
	}
	if neg {
		ts.Fatalf("nosecrets does not support !")
	}
}

// cmdPutToken places a token in the store as the helper would have:
// puttoken URL ACCESS-TOKEN [VALID-FOR]; ACCESS-TOKEN @FILE reads it from
// FILE (trimmed), for tokens too long to write in a script.
func cmdPutToken(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: puttoken URL ACCESS-TOKEN [VALID-FOR]")
	}
	u, err := url.Parse(args[0])
	ts.Check(err)
	valid := time.Hour
	if len(args) == 3 {
		valid, err = time.ParseDuration(args[2])
		ts.Check(err)
	}
	if name, ok := strings.CutPrefix(args[1], "@"); ok {
		args[1] = strings.TrimSpace(ts.ReadFile(name))
	}
	st, err := tokenstore.Open(filepath.Dir(ts.Getenv("STORE_FILE")))
	ts.Check(err)
	ts.Check(st.Put(&tokenstore.Record{
		Key:  tokenstore.Key{Protocol: u.Scheme, Host: u.Host},
		Kind: "cloud", Grant: "client-credentials", GitUsername: "x-token-auth",
		AccessToken: args[1], Expiry: shiftedClock(ts.Getenv(clockFileEnv))().Add(valid),
	}))
}
