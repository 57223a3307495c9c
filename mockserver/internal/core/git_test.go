package core

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCoreEnsureRepo(t *testing.T) {
	t.Parallel()
	m, err := New(Config{ReposDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	dir := filepath.Join(t.TempDir(), "x", "y.git")
	for i := 0; i < 2; i++ { // the second call is a no-op
		if err := m.EnsureRepo(dir); err != nil {
			t.Fatalf("ensureRepo #%d: %v", i, err)
		}
	}
	head, err := os.ReadFile(filepath.Join(dir, "HEAD"))
	if err != nil || strings.TrimSpace(string(head)) != "ref: refs/heads/main" {
		t.Errorf("HEAD = %q, %v", head, err)
	}
	if out, err := m.git(dir, nil, "log", "--format=%s", "main"); err != nil || out != "Initial commit" {
		t.Errorf("log = %q, %v", out, err)
	}
	busy := t.TempDir()
	os.WriteFile(filepath.Join(busy, "file"), []byte("x"), 0o644)
	if err := m.EnsureRepo(busy); !errors.Is(err, errNotBare) {
		t.Errorf("ensureRepo on a non-empty directory: %v", err)
	}
}

func TestCoreNormalizeContextPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "/": "", "bitbucket": "/bitbucket", "/bitbucket/": "/bitbucket", "/a/b": "/a/b"} {
		if got := NormalizeContextPath(in); got != want {
			t.Errorf("NormalizeContextPath(%q) = %q, want %q", in, got, want)
		}
	}
}
