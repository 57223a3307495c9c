package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// readSecret reads one secret from stdin (surrounding blanks trimmed).
func readSecret(in io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(in, 1<<16))
	if err != nil {
		return "", fmt.Errorf("read the secret from stdin: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", errors.New("no secret on stdin")
	}
	if strings.ContainsAny(s, "\r\n\x00") {
		return "", errors.New("the secret on stdin must be one line")
	}
	return s, nil
}

// configDir is the helper's directory under the XDG config home.
func (r *run) configDir() (string, error) {
	if d := r.env.get("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "git-credential-bitbucket"), nil
	}
	home := r.env.get("HOME")
	if home == "" || !filepath.IsAbs(home) {
		return "", errors.New("cannot find the config directory: HOME is not set to an absolute path")
	}
	return filepath.Join(home, ".config", "git-credential-bitbucket"), nil
}

// writeSecretFile writes secret to a 0600 file in a 0700 directory named
// after the remote, replacing an older one atomically.
func (r *run) writeSecretFile(remote, name, secret string) (string, error) {
	dir, err := r.configDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", err
	}
	safe := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			return c
		}
		return '_'
	}, strings.Trim(remote, "/"))
	path := filepath.Join(dir, safe+"."+name)
	f, err := os.CreateTemp(dir, ".secret-*")
	if err != nil {
		return "", fmt.Errorf("write secret file: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return "", err
	}
	if _, err := io.WriteString(f, secret+"\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write secret file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("write secret file: %w", err)
	}
	return path, nil
}

// absFile is a file argument made absolute, a leading "~/" (which the
// shell leaves alone in quotes, '~/link.pem') being the home directory.
func (r *run) absFile(p string) (string, error) {
	p, err := gitconfig.ExpandHome(p, func() (string, error) {
		if h := r.env.get("HOME"); filepath.IsAbs(h) {
			return h, nil
		}
		return "", errors.New("HOME is not set to an absolute path")
	})
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}
