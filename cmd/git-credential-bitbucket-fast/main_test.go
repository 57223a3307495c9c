package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// build compiles the front and the full helper into dir, as make install
// puts them side by side.
func build(t *testing.T, dir string, pkgs ...string) {
	t.Helper()
	for _, pkg := range pkgs {
		out, err := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "github.com/bbcred/git-credential-bitbucket/cmd/"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
}

func run(t *testing.T, bin, stdin string, env []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// TestRealBinaries: the front execs the full helper installed beside it,
// handing on what it read (here a 700 KB request, which no pipe would
// hold) byte for byte, and says how to fix an install without it.
func TestRealBinaries(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Windows delegate is a child process; this test execs")
	}
	t.Parallel()
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "XDG_STATE_HOME=" + filepath.Join(home, "state")}
	install := t.TempDir()
	build(t, install, "git-credential-bitbucket-fast", "git-credential-bitbucket")
	front := filepath.Join(install, "git-credential-bitbucket-fast")

	// A user command: handed over with the front's own stdin and args.
	out, stderr, err := run(t, front, "", env, "version")
	if err != nil || !strings.HasPrefix(out, "git-credential-bitbucket ") {
		t.Fatalf("version through the front: %v, stdout %q stderr %q", err, out, stderr)
	}

	// A get the store cannot answer: the full helper reads the very bytes
	// the front read. The request is malformed on its last line, which
	// the full helper can only name if it received every line before it.
	lines := 12000
	var req strings.Builder
	for i := range lines - 1 {
		fmt.Fprintf(&req, "wwwauth[]=Basic realm=\"%d%s\"\n", i, strings.Repeat("r", 40))
	}
	req.WriteString("this line has no equals sign\n")
	if req.Len() < 600<<10 {
		t.Fatalf("request of %d bytes is too small to prove anything", req.Len())
	}
	out, stderr, err = run(t, front, req.String(), env, "get")
	if err != nil || out != "" || !strings.Contains(stderr, fmt.Sprintf("line %d", lines)) {
		t.Errorf("malformed get through the front: %v, stdout %q, stderr %q; want the full helper to name line %d", err, out, stderr, lines)
	}

	// A front installed without the full helper: one line naming the fix,
	// no answer, exit 0 for git's get.
	alone := t.TempDir()
	build(t, alone, "git-credential-bitbucket-fast")
	out, stderr, err = run(t, filepath.Join(alone, "git-credential-bitbucket-fast"), "protocol=https\nhost=bitbucket.org\n", env, "get")
	if err != nil || out != "" || !strings.Contains(stderr, "install both") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("front alone: %v, stdout %q, stderr %q", err, out, stderr)
	}
	if _, stderr, err = run(t, filepath.Join(alone, "git-credential-bitbucket-fast"), "", env, "status"); err == nil {
		t.Errorf("front alone: status exited 0 (stderr %q)", stderr)
	}
}
