package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore/oskeyring"
)

// Environment of TestKeyringScript. KEYRING_TEST=1 (set by CI) turns every
// reason to skip into a failure.
const (
	keyringRequiredEnv = "KEYRING_TEST"
	keyringInnerEnv    = "GCB_TEST_KEYRING_INNER" // set in the re-executed test
)

// keyringTools are what the test needs from Debian's gnome-keyring, dbus
// and libsecret-tools packages.
var keyringTools = []string{"dbus-run-session", "gnome-keyring-daemon", "secret-tool"}

// TestKeyringScript runs testdata/keyring against a real Secret Service:
// the test re-executes itself under dbus-run-session with a
// gnome-keyring-daemon of its own (a fresh HOME, so a new login keyring,
// unlocked with a throwaway password), and the scripts drive the helper
// binary and real git against the mock, checking the keyring with
// secret-tool.
func TestKeyringScript(t *testing.T) {
	if os.Getenv(keyringInnerEnv) == "1" {
		runKeyringScripts(t)
		return
	}
	required := os.Getenv(keyringRequiredEnv) == "1"
	skip := t.Skipf
	if required {
		skip = t.Fatalf
	}
	for _, tool := range keyringTools {
		if _, err := exec.LookPath(tool); err != nil {
			skip("no %s on PATH: install gnome-keyring, dbus and libsecret-tools (%s=1 makes this a failure)", tool, keyringRequiredEnv)
		}
	}
	home := t.TempDir()
	runtime := filepath.Join(home, "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// gnome-keyring-daemon --unlock reads the login keyring's password on
	// stdin and creates the keyring when HOME has none.
	const script = `printf %s throwaway-test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
exec "$0" -test.run='^TestKeyringScript$' -test.v -test.count=1`
	cmd := exec.CommandContext(ctx, "dbus-run-session", "--", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), keyringInnerEnv+"=1", "HOME="+home, "XDG_RUNTIME_DIR="+runtime,
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	out, err := cmd.CombinedOutput()
	if m := regexp.MustCompile(`(?m)^\s*keyring_test.go:\d+: (skip: .*)$`).FindSubmatch(out); m != nil && strings.Contains(string(out), "--- SKIP: TestKeyringScript") {
		skip("%s", m[1])
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyringScript") {
		t.Fatalf("under dbus-run-session: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "--- PASS: TestKeyringScript/") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// runKeyringScripts is TestKeyringScript inside the D-Bus session.
func runKeyringScripts(t *testing.T) {
	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if err := oskeyring.Probe(nil, 5*time.Second); err != nil {
		if os.Getenv(keyringRequiredEnv) == "1" {
			t.Fatalf("gnome-keyring-daemon does not answer: %v", err)
		}
		t.Skipf("skip: gnome-keyring-daemon does not answer under dbus-run-session: %v", err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/keyring",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			if err := setupScript(env, os.Getenv("MODERN_GIT")); err != nil {
				return err
			}
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
			env.Setenv("SESSION_BUS", bus) // to restore it after `env DBUS_SESSION_BUS_ADDRESS=`
			env.Setenv("XDG_RUNTIME_DIR", os.Getenv("XDG_RUNTIME_DIR"))
			return nil
		},
		Cmds: scriptCommands(nil),
	})
}
