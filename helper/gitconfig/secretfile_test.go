package gitconfig_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

func writeSecret(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not subject to umask
		t.Fatal(err)
	}
	return path
}

func TestReadSecretFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode    os.FileMode
		wantErr string // "" for success
	}{
		{0o600, ""},
		{0o400, ""},
		{0o700, ""},
		{0o640, "permissions 0640 for"},
		{0o604, "permissions 0604 for"},
		{0o644, "permissions 0644 for"},
		{0o620, "permissions 0620 for"},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			t.Parallel()
			path := writeSecret(t, "s3cr3t\n", tc.mode)
			got, err := gitconfig.ReadSecretFile(path)
			if tc.wantErr == "" {
				if err != nil || string(got) != "s3cr3t\n" {
					t.Fatalf("ReadSecretFile = %q, %v", got, err)
				}
				return
			}
			if err == nil {
				t.Fatal("ReadSecretFile succeeded, want a permissions error")
			}
			want := tc.wantErr + ` "` + path + `" are too open: the file must not be readable by group or others (chmod 600 ` + path + `)`
			if err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Error("error shows the secret")
			}
		})
	}
}

func TestReadSecretFileMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope")
	_, err := gitconfig.ReadSecretFile(path)
	if err == nil || err.Error() != `secret file "`+path+`" does not exist` {
		t.Fatalf("ReadSecretFile = %v", err)
	}
}

func TestReadSecretFileDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := gitconfig.ReadSecretFile(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("ReadSecretFile(dir) = %v", err)
	}
}

func TestClientSecretValue(t *testing.T) {
	t.Parallel()
	good := writeSecret(t, "  from-file \n", 0o600)
	open := writeSecret(t, "from-file", 0o644)
	empty := writeSecret(t, "\n", 0o600)
	tests := []struct {
		name    string
		s       gitconfig.Settings
		want    string
		wantErr string
	}{
		{"value wins", gitconfig.Settings{ClientSecret: "inline", ClientSecretFile: good}, "inline", ""},
		{"file trimmed", gitconfig.Settings{ClientSecretFile: good}, "from-file", ""},
		{"file too open", gitconfig.Settings{ClientSecretFile: open}, "", "too open"},
		{"file empty", gitconfig.Settings{ClientSecretFile: empty}, "", "is empty"},
		{"nothing", gitconfig.Settings{}, "", "set bitbucket.clientSecret or bitbucket.clientSecretFile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.s.ClientSecretValue()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ClientSecretValue = %q, %v; want error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ClientSecretValue = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	var s gitconfig.Settings
	if _, err := s.ClientSecretValue(); !errors.Is(err, gitconfig.ErrNotSet) {
		t.Errorf("unset secret: %v, want ErrNotSet", err)
	}
}

func TestJWTSharedSecretValue(t *testing.T) {
	t.Parallel()
	s := gitconfig.Settings{JWTSharedSecret: "shh "}
	if got, err := s.JWTSharedSecretValue(); err != nil || got != "shh" {
		t.Errorf("JWTSharedSecretValue = %q, %v", got, err)
	}
	if _, err := (&gitconfig.Settings{}).JWTSharedSecretValue(); !errors.Is(err, gitconfig.ErrNotSet) {
		t.Errorf("unset: %v, want ErrNotSet", err)
	}
}

func TestPrivateKeyPEM(t *testing.T) {
	t.Parallel()
	pem := "-----BEGIN PRIVATE KEY-----\nTEST ONLY\n-----END PRIVATE KEY-----\n"
	s := gitconfig.Settings{PrivateKeyFile: writeSecret(t, pem, 0o600)}
	if got, err := s.PrivateKeyPEM(); err != nil || string(got) != pem {
		t.Errorf("PrivateKeyPEM = %q, %v", got, err)
	}
	if _, err := (&gitconfig.Settings{PrivateKeyFile: writeSecret(t, pem, 0o644)}).PrivateKeyPEM(); err == nil {
		t.Error("PrivateKeyPEM read a world-readable key")
	}
	if _, err := (&gitconfig.Settings{}).PrivateKeyPEM(); !errors.Is(err, gitconfig.ErrNotSet) {
		t.Errorf("unset: %v, want ErrNotSet", err)
	}
}

func TestExpandHome(t *testing.T) {
	t.Parallel()
	home := func() (string, error) { return "/home/alice", nil }
	tests := map[string]string{
		"~/secret":      "/home/alice/secret",
		"~/a/../b":      "/home/alice/b",
		"/abs/~/x":      "/abs/~/x",
		"~bob/x":        "~bob/x",
		"relative/file": "relative/file",
		"~":             "/home/alice",
	}
	for in, want := range tests {
		got, err := gitconfig.ExpandHome(in, home)
		if err != nil || got != want {
			t.Errorf("expandHome(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	noHome := func() (string, error) { return "", errors.New("$HOME is not defined") }
	if _, err := gitconfig.ExpandHome("~/x", noHome); err == nil {
		t.Error("expandHome without a home succeeded")
	}
}
