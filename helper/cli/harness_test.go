package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// testHost is the remote the harness configures for the fake provider.
const testHost = "bb.example.test"

// fakeProvider records what the CLI asked and answers with obtain.
type fakeProvider struct {
	mu       sync.Mutex
	calls    int
	prevs    []*tokenstore.Record
	envs     []auth.Env
	deadline []time.Duration // left until the ctx deadline when Obtain was called; -1 for none
	revoked  []string
	obtain   func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error)
	accountN string
}

func (f *fakeProvider) Obtain(ctx context.Context, env *auth.Env, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	f.mu.Lock()
	f.calls++
	if prev != nil {
		p := *prev
		f.prevs = append(f.prevs, &p)
	} else {
		f.prevs = append(f.prevs, nil)
	}
	f.envs = append(f.envs, *env)
	left := time.Duration(-1)
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	f.deadline = append(f.deadline, left)
	fn := f.obtain
	f.mu.Unlock()
	if fn == nil {
		return nil, &auth.ConfigError{Msg: "fake: no obtain"}
	}
	return fn(prev, login)
}

func (f *fakeProvider) Revoke(ctx context.Context, env *auth.Env, rec *tokenstore.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = append(f.revoked, rec.AccessToken)
	return nil
}

func (f *fakeProvider) Account(ctx context.Context, env *auth.Env, rec *tokenstore.Record) (string, error) {
	return f.accountN, nil
}

func (f *fakeProvider) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// harness is an App with a temporary store, a fixed clock, a private git
// config and a fake provider for kind "fake" on https://bb.example.test.
type harness struct {
	t    *testing.T
	app  *App
	dir  string
	env  []string
	prov *fakeProvider
	now  time.Time
}

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, config ...string) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, dir: dir, prov: &fakeProvider{}, now: testNow}
	gitconfig := filepath.Join(dir, "gitconfig")
	if err := os.WriteFile(gitconfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.env = []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + gitconfig,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"BROWSER=false",
	}
	h.gitConfig("bitbucket.https://"+testHost+".kind", "cloud")
	h.gitConfig("bitbucket.https://"+testHost+".grant", "client-credentials")
	for i := 0; i+1 < len(config); i += 2 {
		h.gitConfig(config[i], config[i+1])
	}
	h.app = &App{
		Now:       func() time.Time { return h.now },
		StoreDir:  filepath.Join(dir, "store"),
		Providers: map[string]auth.Provider{"cloud": h.prov},
		OpenTTY:   func() (io.ReadWriteCloser, error) { return nil, os.ErrNotExist },
		Version:   "test",
	}
	return h
}

func (h *harness) gitConfig(key, value string) {
	h.t.Helper()
	cmd := exec.Command("git", "config", "--global", key, value)
	cmd.Env = h.env
	if out, err := cmd.CombinedOutput(); err != nil {
		h.t.Fatalf("git config %s: %v: %s", key, err, out)
	}
}

// run runs the CLI and returns stdout, stderr and the exit code.
func (h *harness) run(stdin string, env []string, args ...string) (string, string, int) {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	code := h.app.Run(args, strings.NewReader(stdin), &stdout, &stderr, append(append([]string(nil), h.env...), env...))
	return stdout.String(), stderr.String(), code
}

func (h *harness) store() *tokenstore.Store {
	return &tokenstore.Store{Dir: h.app.StoreDir}
}

func (h *harness) put(rec *tokenstore.Record) {
	h.t.Helper()
	if err := h.store().Put(rec); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) records() []*tokenstore.Record {
	h.t.Helper()
	recs, err := h.store().List()
	if err != nil {
		h.t.Fatal(err)
	}
	return recs
}

// testKey is the key the CLI uses for a get without username.
var testKey = tokenstore.Key{Protocol: "https", Host: testHost}

// record is a fake token record valid for d from testNow.
func record(access, refresh string, d time.Duration) *tokenstore.Record {
	return &tokenstore.Record{
		Key: testKey, Kind: "cloud", Grant: "client-credentials", GitUsername: "x-token-auth",
		AccessToken: access, RefreshToken: refresh, Expiry: testNow.Add(d), Scopes: "repository account",
	}
}

// request is a get/store/erase request for the test host.
func request(lines ...string) string {
	return "protocol=https\nhost=" + testHost + "\n" + strings.Join(lines, "\n")
}

// noSecrets fails when any secret appears in text.
func noSecrets(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains the secret %q:\n%s", what, s[:min(4, len(s))]+"...", strings.ReplaceAll(text, s, "<SECRET>"))
		}
	}
}
