package tokenstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// stateDirEnv names the environment variable that, when set to an absolute
// path, is the store directory itself (no subdirectory is appended). It is
// meant for tests, CI and users who keep state elsewhere.
const stateDirEnv = "GIT_CREDENTIAL_BITBUCKET_STATE_DIR"

// appDirName is the subdirectory of the XDG state directory.
const appDirName = "git-credential-bitbucket"

// DefaultDir returns the store directory for the environment env (KEY=VALUE
// entries as in os.Environ; the last entry for a key wins, as in os/exec):
//
//  1. $GIT_CREDENTIAL_BITBUCKET_STATE_DIR when set (it must be absolute);
//  2. on Windows, %LOCALAPPDATA%\git-credential-bitbucket (the variable's
//     name in any case, as Windows reads it);
//  3. $XDG_STATE_HOME/git-credential-bitbucket when XDG_STATE_HOME is an
//     absolute path (the XDG Base Directory spec ignores relative ones);
//  4. on macOS, $HOME/Library/Application Support/git-credential-bitbucket;
//     elsewhere $HOME/.local/state/git-credential-bitbucket.
//
// It only computes the path; Open creates the directory.
func DefaultDir(env []string) (string, error) {
	return defaultDir(runtime.GOOS, env)
}

func defaultDir(goos string, env []string) (string, error) {
	if d := lookupEnv(env, stateDirEnv); d != "" {
		if !filepath.IsAbs(d) {
			return "", fmt.Errorf("%s must be an absolute path", stateDirEnv)
		}
		return filepath.Clean(d), nil
	}
	if goos == "windows" {
		d := lookupEnvFold(env, "LOCALAPPDATA")
		if d == "" || !filepath.IsAbs(d) {
			return "", errors.New("cannot find the token store directory: LOCALAPPDATA is not set to an absolute path (set " + stateDirEnv + ")")
		}
		return filepath.Join(d, appDirName), nil
	}
	if d := lookupEnv(env, "XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, appDirName), nil
	}
	home := lookupEnv(env, "HOME")
	if home == "" || !filepath.IsAbs(home) {
		return "", errors.New("cannot find the token store directory: HOME is not set to an absolute path (set XDG_STATE_HOME or " + stateDirEnv + ")")
	}
	if goos == "darwin" {
		return filepath.Join(home, "Library", "Application Support", appDirName), nil
	}
	return filepath.Join(home, ".local", "state", appDirName), nil
}

// lookupEnvFold is lookupEnv with the key's case ignored, as on Windows.
func lookupEnvFold(env []string, key string) string {
	val := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.EqualFold(k, key) {
			val = v
		}
	}
	return val
}

func lookupEnv(env []string, key string) string {
	val := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val = v
		}
	}
	return val
}

// At returns the store in dir as it is: nothing is created or checked
// until a call needs it (Put creates the directory), it stamps records
// with time.Now, and it has no Keyring. Callers set Now and Keyring.
func At(dir string) *Store { return &Store{Dir: dir} }

// Open returns the store in dir, creating dir (and missing parents) with mode
// 0700. An existing dir must belong to the current user and be writable by
// nobody else; it is refused otherwise and never re-moded (see ensureDir).
// A store file readable by others is tightened to 0600: the helper wrote it. Open does not read the store file, so a corrupt store is
// reported by the first Get, Find, List, Put or Delete.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("token store: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("token store: %w", err)
	}
	if err := ensureDir(abs); err != nil {
		return nil, err
	}
	s := &Store{Dir: abs}
	fi, err := os.Lstat(s.Path())
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("token store: %w", err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("token store %s is not a regular file", s.Path())
	default:
		if err := checkOwner(s.Path(), fi); err != nil {
			return nil, err
		}
		if sharedBits(fi) != 0 {
			if err := os.Chmod(s.Path(), 0o600); err != nil {
				return nil, fmt.Errorf("token store: tighten permissions: %w", err)
			}
		}
	}
	return s, nil
}

// ensureDir creates dir with mode 0700, or checks an existing one: a
// directory, owned by the current user, writable by nobody else. A
// directory the helper did not create is never re-moded (issue 10,
// point 5: GIT_CREDENTIAL_BITBUCKET_STATE_DIR=/tmp as root once lost /tmp
// its sticky bit); one others could write to is refused, since they could
// swap the store file or its locks.
func ensureDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("token store: %w", err)
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("token store: %s is not a directory", dir)
	}
	if err := checkOwner(dir, fi); err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); sharedBits(fi)&0o022 != 0 {
		if fi.Mode()&fs.ModeSticky != 0 {
			perm |= 0o1000
		}
		return fmt.Errorf("token store: %s is writable by other users (mode %04o): refusing to keep tokens there; set %s to a directory of your own", dir, uint32(perm), stateDirEnv)
	}
	return nil
}
