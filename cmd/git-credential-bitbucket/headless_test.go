package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/mocktest"
)

// terminal is an injected /dev/tty: the test reads what the helper prints
// and types into it.
type terminal struct {
	in  *io.PipeReader
	out *io.PipeWriter
}

func (t *terminal) Read(p []byte) (int, error)  { return t.in.Read(p) }
func (t *terminal) Write(p []byte) (int, error) { return t.out.Write(p) }
func (t *terminal) Close() error                { return nil }

// TestHeadlessLoginPaste: no browser can be opened, so login prints the
// authorization URL on the terminal; the person opens it elsewhere and
// pastes the address the browser was sent to. The login completes, and
// git's get is then answered from the store.
func TestHeadlessLoginPaste(t *testing.T) {
	t.Parallel()
	mock := mocktest.StartForTest(t, mockserver.Options{AutoApprove: true})
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("mock-private-secret-TEST-ONLY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(dir, "trace.log")
	env := []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"), "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"GIT_CREDENTIAL_BITBUCKET_TRACE=" + trace,
		// no BROWSER, no DISPLAY: no browser can be opened
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	app := &cli.App{OpenTTY: func() (io.ReadWriteCloser, error) { return &terminal{in: inR, out: outW}, nil }}

	run := func(stdin string, args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		code := app.Run(args, strings.NewReader(stdin), &stdout, &stderr, env)
		return stdout.String(), stderr.String(), code
	}
	if out, errOut, code := run("", "configure", mock.CloudURL, "--kind", "cloud", "--grant", "authorization-code",
		"--client-id", "mock-private", "--client-secret-file", secretFile); code != 0 {
		t.Fatalf("configure: exit %d: %s%s", code, out, errOut)
	}

	go func() {
		sc := bufio.NewReader(outR)
		for {
			line, err := sc.ReadString('\n')
			if err != nil {
				return
			}
			u := strings.TrimSpace(line)
			if !strings.HasPrefix(u, "http") {
				continue
			}
			go io.Copy(io.Discard, sc)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(u)
			if err != nil {
				t.Errorf("authorize: %v", err)
				return
			}
			resp.Body.Close()
			io.WriteString(inW, resp.Header.Get("Location")+"\n")
			return
		}
	}()
	stdout, stderr, code := run("", "login", mock.CloudURL)
	if code != 0 || !strings.Contains(stdout, "Logged in") {
		t.Fatalf("login: exit %d stdout %q stderr %q", code, stdout, stderr)
	}

	// git's get now gets the token without any interaction.
	host := strings.TrimPrefix(mock.CloudURL, "http://")
	env = append(env, "GIT_TERMINAL_PROMPT=0")
	stdout, stderr, _ = run("protocol=http\nhost="+host+"\n", "get")
	if !strings.Contains(stdout, "username=x-token-auth\npassword=") || stderr != "" {
		t.Fatalf("get: no token (stdout has %d bytes), stderr %q", len(stdout), stderr)
	}
	var reqs []mockserver.LoggedRequest
	resp, err := http.Get(mock.CloudURL + "/_mock/requests?path=/site/oauth2/access_token")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&reqs)
	resp.Body.Close()
	// configure's and login's consumer checks exchange a code Bitbucket
	// never issued (400 invalid_grant), then the login's one exchange.
	if n := len(reqs); n != 3 || reqs[0].Status != 400 || reqs[1].Status != 400 || reqs[2].Grant != "authorization_code" || reqs[2].Status != 200 {
		t.Errorf("token requests %+v; want two consumer checks, then one authorization_code exchange", reqs)
	}

	// No secret in stderr or the trace.
	token := strings.TrimSpace(strings.SplitN(strings.SplitN(stdout, "password=", 2)[1], "\n", 2)[0])
	tr, _ := os.ReadFile(trace)
	for what, text := range map[string]string{"stderr": stderr, "trace": string(tr)} {
		for _, s := range []string{token, "mock-private-secret-TEST-ONLY"} {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a secret", what)
			}
		}
	}
}
