package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
)

// TestManPage: the page holds every command's help and renders without
// a warning where groff is installed (and through man -l where man is).
func TestManPage(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	write(&b, "v1.2.3")
	page := b.String()
	for _, want := range []string{".TH GIT-CREDENTIAL-BITBUCKET 1", ".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH COMMANDS\n", ".SH SEE ALSO\n"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, c := range cli.Commands() {
		if !strings.Contains(page, ".SS \""+c.Name+"\"\n") {
			t.Errorf("no section for %s", c.Name)
		}
	}
	for i, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, "'") || (strings.HasPrefix(l, ".") && !strings.HasPrefix(l, ".TH") && !knownMacro(l)) {
			t.Errorf("line %d is an unexpected request: %q", i+1, l)
		}
	}
	file := filepath.Join(t.TempDir(), "git-credential-bitbucket.1")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if groff, err := exec.LookPath("groff"); err == nil {
		cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z", file)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("groff: %v: %s", err, out)
		}
		out, err := exec.Command(groff, "-man", "-Tascii", file).Output()
		if err != nil || !strings.Contains(string(out), "--no-browser") {
			t.Errorf("groff rendering lacks --no-browser (%v):\n%s", err, out)
		}
	} else {
		t.Logf("no groff here: structure checked only")
	}
	if man, err := exec.LookPath("man"); err == nil {
		cmd := exec.Command(man, "-l", file)
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=80")
		if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), "git-credential-bitbucket completion bash") {
			t.Errorf("man -l: %v:\n%s", err, out)
		}
	}
}

func knownMacro(l string) bool {
	for _, m := range []string{".SH ", ".SS ", ".PP", ".nf", ".fi", ".sp", ".B ", ".I ", ".RI ", ".BR "} {
		if strings.HasPrefix(l, m) {
			return true
		}
	}
	return false
}
