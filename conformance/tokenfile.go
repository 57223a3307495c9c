package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// TokenFile is a file holding one secret token (a refresh token). Real
// targets rotate refresh tokens, so every use goes through Use, which
// serialises users and writes the rotated token back before returning.
type TokenFile struct {
	Path string
	mu   sync.Mutex
}

// Use calls fn with the stored token; a non-empty token returned by fn
// replaces the stored one (atomically, mode 0600).
func (f *TokenFile) Use(fn func(token string) (rotated string, err error)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return fmt.Errorf("token file %s is empty", f.Path)
	}
	next, err := fn(tok)
	if err != nil {
		return err
	}
	if next == "" || next == tok {
		return nil
	}
	return writeSecretFile(f.Path, next+"\n")
}

// writeSecretFile replaces path atomically with mode 0600.
func writeSecretFile(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".conformance-token-*")
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	return nil
}
