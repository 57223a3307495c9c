package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The hostile area (issue 10): small hostile servers (httptest) that the
// git-credential-bitbucket binary is pointed at through a git config of
// its own. They need no Bitbucket, so they run with the binary target
// only (WithHostile), one case each.

// WithHostile adds the hostile area, run with the helper binary at path.
func WithHostile(path string) Option {
	return func(o *options) { o.hostile = path }
}

// hostileRig is one isolated HOME with a global git config, and the
// helper binary.
type hostileRig struct {
	t      *testing.T
	helper string
	home   string
	config string
	env    []string // extra environment for the helper
}

func newHostileRig(t *testing.T, helper string) *hostileRig {
	t.Helper()
	home := t.TempDir()
	r := &hostileRig{t: t, helper: helper, home: home, config: filepath.Join(home, ".gitconfig")}
	if err := os.WriteFile(r.config, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// set adds one git config entry (git config --global key value).
func (r *hostileRig) set(key, value string) {
	r.t.Helper()
	cmd := exec.Command("git", "config", "--file", r.config, key, value)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git config %s: %v: %s", key, err, out)
	}
}

// secretFile writes a 0600 file under HOME and returns its path.
func (r *hostileRig) secretFile(name, content string) string {
	r.t.Helper()
	p := filepath.Join(r.home, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// cloudClient configures origin (http://127.0.0.1:PORT) as a Cloud
// instance with the client-credentials grant; the secret is hostileSecret.
func (r *hostileRig) cloudClient(origin string) {
	r.set("bitbucket."+origin+".kind", "cloud")
	r.set("bitbucket."+origin+".grant", "client-credentials")
	r.set("bitbucket."+origin+".clientId", "hostile-consumer")
	r.set("bitbucket."+origin+".clientSecretFile", r.secretFile("cloud-secret", hostileSecret+"\n"))
}

// server2LO configures origin as Bitbucket Server with 2-legged OAuth 1.
func (r *hostileRig) server2LO(origin string) {
	r.t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		r.t.Fatal(err)
	}
	r.set("bitbucket."+origin+".kind", "server")
	r.set("bitbucket."+origin+".grant", "oauth1-2lo")
	r.set("bitbucket."+origin+".consumerKey", "hostile-link")
	r.set("bitbucket."+origin+".privateKeyFile", r.secretFile("link.pem", string(pemRSA(key))))
}

// hostileSecret is the client secret the rig configures: it must never
// reach another server, stdout or stderr.
const hostileSecret = "hostile-client-s3cret"

// helperResult is what one `git-credential-bitbucket get` did.
type helperResult struct {
	stdout, stderr string
	took           time.Duration
}

// get runs `git-credential-bitbucket get` for origin's host (git's
// request, as git sends it) with prompting off.
func (r *hostileRig) get(ctx context.Context, origin string) helperResult {
	r.t.Helper()
	host := strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://")
	cmd := exec.CommandContext(ctx, r.helper, "get")
	cmd.Stdin = strings.NewReader("protocol=http\nhost=" + host + "\n\n")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.home, "GIT_CONFIG_GLOBAL=" + r.config,
		"GIT_CONFIG_NOSYSTEM=1", "XDG_CONFIG_HOME=" + filepath.Join(r.home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(r.home, ".state"), "GIT_TERMINAL_PROMPT=0"}
	cmd.Env = append(cmd.Env, r.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git-credential-bitbucket get: %v (stderr %q)", err, errb.String())
	}
	return helperResult{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
}

// refused checks a get that must give git nothing: no password, the
// secret nowhere, no terminal control bytes, and a line naming want
// (e.g. the server) on stderr.
func (res helperResult) refused(t *testing.T, want ...string) {
	t.Helper()
	if strings.Contains(res.stdout, "password=") {
		t.Errorf("git was given a credential: %q", res.stdout)
	}
	for _, out := range []string{res.stdout, res.stderr} {
		if strings.Contains(out, hostileSecret) || strings.Contains(out, "STOLEN") {
			t.Errorf("a secret reached the output: %q", out)
		}
		if strings.ContainsAny(out, "\x1b\x07\x9b") {
			t.Errorf("terminal control bytes reached the output: %q", out)
		}
	}
	for _, w := range want {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("stderr %q does not say %q", res.stderr, w)
		}
	}
}

// counter is a server that counts the requests it gets: where a hostile
// server redirects to, or a host nobody configured.
func counter(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-AUSERNAME", "mallory")
		fmt.Fprint(w, `{"access_token":"STOLEN","token_type":"bearer","expires_in":3600,"id":"1","token":"STOLEN"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// hostile starts a server answering with h.
func hostile(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// hostileToken is a Cloud token endpoint answering body with status 200.
func hostileToken(t *testing.T, body string) *httptest.Server {
	return hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	})
}

// appPropsThen answers Server's application-properties as svc-ci and the
// token creation with mint.
func appPropsThen(mint http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/rest/api/latest/application-properties":
			w.Header().Set("X-AUSERNAME", "svc-ci")
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"version":"8.19.0"}`)
		case r.Method == http.MethodPut && r.URL.Path == "/rest/access-tokens/1.0/users/svc-ci":
			mint(w, r)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, `{"size":0,"values":[],"isLastPage":true,"start":0,"limit":100}`)
		}
	}
}
