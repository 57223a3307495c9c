package gitcred_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
)

// helperDirEnv switches the test binary into a credential helper for the
// interop tests: it records the request it reads in $dir/request.json and
// answers with $dir/response.json.
const helperDirEnv = "GITCRED_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		os.Exit(helperMain(dir))
	}
	os.Exit(m.Run())
}

func helperMain(dir string) int {
	if os.Args[len(os.Args)-1] != "get" {
		return 0
	}
	req, err := gitcred.Read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 0
	}
	data, err := json.Marshal(req)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "request.json"), data, 0o600)
	}
	var resp gitcred.Response
	if err == nil {
		data, err = os.ReadFile(filepath.Join(dir, "response.json"))
	}
	if err == nil {
		err = json.Unmarshal(data, &resp)
	}
	if err == nil {
		err = gitcred.Write(os.Stdout, req, &resp)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test helper:", err)
		return 1
	}
	return 0
}

// fill runs `git credential fill` with this test binary as the only helper
// and returns the request the helper saw and git's answer, both parsed
// with Read.
func fill(t *testing.T, git, input string, resp *gitcred.Response) (helperSaw, gitSays *gitcred.Request) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "response.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(git, "-c", "credential.helper=", "-c", "credential.helper=!'"+exe+"'", "credential", "fill")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(dir, "none"), "GIT_TERMINAL_PROMPT=0", helperDirEnv + "=" + dir,
		"GORACE=atexit_sleep_ms=0", // the helper is this race-built test binary
	}
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git credential fill: %v\n%s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	saw, err := os.ReadFile(filepath.Join(dir, "request.json"))
	if err != nil {
		t.Fatalf("the helper recorded no request: %v", err)
	}
	helperSaw = &gitcred.Request{}
	if err := json.Unmarshal(saw, helperSaw); err != nil {
		t.Fatal(err)
	}
	gitSays, err = gitcred.Read(&stdout)
	if err != nil {
		t.Fatalf("Read of git's output: %v", err)
	}
	return helperSaw, gitSays
}

func modernGit(t *testing.T) string {
	t.Helper()
	git := os.Getenv("MODERN_GIT")
	if git == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MODERN_GIT is not set")
		}
		t.Skip("MODERN_GIT is not set")
	}
	return git
}

// TestInteropSystemGit: whatever git is on PATH (2.39 on Debian 12) sends
// what Read parses and takes what Write writes.
func TestInteropSystemGit(t *testing.T) {
	t.Parallel()
	saw, says := fill(t, "git",
		"protocol=https\nhost=bb.example.com:7990\npath=scm/p/r.git\nusername=alice\n",
		&gitcred.Response{Password: "tok", PasswordExpiry: time.Unix(4000000000, 0)})
	// No useHttpPath: git drops the path before calling helpers.
	wantSaw := &gitcred.Request{Protocol: "https", Host: "bb.example.com:7990", Username: "alice", HasUsername: true}
	if diff := cmp.Diff(wantSaw, saw); diff != "" {
		t.Errorf("helper request (-want +got):\n%s", diff)
	}
	if says.Username != "alice" || says.Password != "tok" || says.Host != "bb.example.com:7990" {
		t.Errorf("git answered %+v", says)
	}
}

func TestInteropModernGit(t *testing.T) {
	t.Parallel()
	git := modernGit(t)
	expiry := time.Unix(4000000000, 0)
	t.Run("authtype negotiated", func(t *testing.T) {
		t.Parallel()
		saw, says := fill(t, git,
			"capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=bitbucket.org\nwwwauth[]=Bearer realm=\"x\"\n",
			&gitcred.Response{AuthType: "Bearer", Credential: "tok", PasswordExpiry: expiry, State: []string{"bitbucket:seen=1"}})
		wantSaw := &gitcred.Request{Protocol: "https", Host: "bitbucket.org",
			Capabilities: []string{"authtype", "state"}, WWWAuth: []string{`Bearer realm="x"`}}
		if diff := cmp.Diff(wantSaw, saw); diff != "" {
			t.Errorf("helper request (-want +got):\n%s", diff)
		}
		want := &gitcred.Request{Protocol: "https", Host: "bitbucket.org", Capabilities: []string{"authtype", "state"},
			AuthType: "Bearer", Credential: "tok", PasswordExpiryUTC: "4000000000", State: []string{"bitbucket:seen=1"}}
		if diff := cmp.Diff(want, says); diff != "" {
			t.Errorf("git's answer (-want +got):\n%s", diff)
		}
	})
	t.Run("no capability, basic fallback", func(t *testing.T) {
		t.Parallel()
		_, says := fill(t, git, "protocol=https\nhost=bitbucket.org\n",
			&gitcred.Response{Username: "x-token-auth", Password: "tok", PasswordExpiry: expiry,
				OAuthRefreshToken: "rt", AuthType: "Bearer", Credential: "tok"})
		want := &gitcred.Request{Protocol: "https", Host: "bitbucket.org", Username: "x-token-auth", HasUsername: true,
			Password: "tok", HasPassword: true, PasswordExpiryUTC: "4000000000", OAuthRefreshToken: "rt"}
		if diff := cmp.Diff(want, says); diff != "" {
			t.Errorf("git's answer (-want +got):\n%s", diff)
		}
	})
}
