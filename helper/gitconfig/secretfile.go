package gitconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxSecretFileSize bounds what ReadSecretFile reads: secrets and PEM keys
// are a few KiB.
const maxSecretFileSize = 1 << 20

// ErrNotSet is wrapped by the *Value methods when no secret is configured.
var ErrNotSet = errors.New("secret not configured")

// ReadSecretFile reads a secret file, refusing one that group or others can read.
//
// Like ssh with private keys, it refuses a file whose mode has any group or
// other bit (mode & 0o077 != 0), with a message saying how to fix it. A
// leading "~/" is the user's home directory. The check is skipped on
// Windows, which has no such mode bits.
func ReadSecretFile(path string) ([]byte, error) {
	p, err := ExpandHome(path, os.UserHomeDir)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		if strings.Contains(p, "~") {
			// '~/key.pem' in quotes reaches us unexpanded from the shell.
			return nil, fmt.Errorf("secret file %q does not exist: a \"~\" in quotes is not expanded by the shell; give the path as $HOME/... or an absolute path", p)
		}
		return nil, fmt.Errorf("secret file %q does not exist", p)
	}
	if err != nil {
		return nil, fmt.Errorf("open secret file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat() // the file opened, not whatever the path names now
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("secret file %q is a directory", p)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("permissions %04o for %q are too open: the file must not be readable by group or others (chmod 600 %s)",
			perm, p, shellQuote(p))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	if len(data) > maxSecretFileSize {
		return nil, fmt.Errorf("secret file %q is larger than %d bytes", p, maxSecretFileSize)
	}
	return data, nil
}

// ExpandHome replaces a leading "~/" (or a lone "~") with the home
// directory that home returns, as a shell would.
func ExpandHome(path string, home func() (string, error)) (string, error) {
	rest, ok := strings.CutPrefix(path, "~/")
	if path == "~" {
		rest, ok = "", true
	}
	if !ok {
		return path, nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("secret file %q: %w", path, err)
	}
	return filepath.Join(h, rest), nil
}

// shellQuote quotes p for a copy-pasteable command when it needs it.
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:@") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// ClientSecretValue returns bitbucket.clientSecret, or else the trimmed
// content of bitbucket.clientSecretFile. Neither set: an error wrapping ErrNotSet.
func (s *Settings) ClientSecretValue() (string, error) {
	if s.ClientSecret != "" {
		return s.ClientSecret, nil
	}
	if s.ClientSecretFile == "" {
		return "", fmt.Errorf("%w: set bitbucket.clientSecret or bitbucket.clientSecretFile", ErrNotSet)
	}
	data, err := ReadSecretFile(s.ClientSecretFile)
	if err != nil {
		return "", err
	}
	secret := strings.TrimSpace(string(data))
	if secret == "" {
		return "", fmt.Errorf("secret file %q is empty", s.ClientSecretFile)
	}
	return secret, nil
}

// JWTSharedSecretValue returns bitbucket.jwtSharedSecret (the Connect app's
// shared secret). Not set: an error wrapping ErrNotSet.
func (s *Settings) JWTSharedSecretValue() (string, error) {
	if v := strings.TrimSpace(s.JWTSharedSecret); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("%w: set bitbucket.jwtSharedSecret", ErrNotSet)
}

// PrivateKeyPEM returns the content of bitbucket.privateKeyFile (the OAuth 1
// application link's RSA key), read with ReadSecretFile. Not set: an error
// wrapping ErrNotSet.
func (s *Settings) PrivateKeyPEM() ([]byte, error) {
	if s.PrivateKeyFile == "" {
		return nil, fmt.Errorf("%w: set bitbucket.privateKeyFile", ErrNotSet)
	}
	return ReadSecretFile(s.PrivateKeyFile)
}
