// Package oskeyring is the platform's keyring for the token store
// (tokenstore.Keyring): the Secret Service on Linux and the BSDs, the
// Keychain on macOS, the Credential Manager on Windows, through
// github.com/zalando/go-keyring (what gh uses). It is a package of its own
// so that the store, and the fast path that only reads tokens.json, do not
// link D-Bus.
package oskeyring

import (
	"errors"
	"fmt"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"github.com/zalando/go-keyring"
)

// defaultTimeout bounds one operation on the OS keyring when
// System.Timeout is zero.
const defaultTimeout = 5 * time.Second

// System is the platform's keyring through go-keyring, each call
// bounded by Timeout (zero: defaultTimeout). go-keyring takes no
// context, so a call that times out is left running in its goroutine: the
// helper is a short-lived process. Env (os.Environ form; nil: the process
// environment) is checked for a D-Bus session bus on Linux and the BSDs
// before any call, so that a machine with none fails at once.
type System struct {
	Timeout time.Duration
	Env     []string
}

// Set implements tokenstore.Keyring.
func (k System) Set(service, user, secret string) error {
	_, err := k.call(func() (string, error) { return "", keyring.Set(service, user, secret) })
	return err
}

// Get implements tokenstore.Keyring.
func (k System) Get(service, user string) (string, error) {
	return k.call(func() (string, error) { return keyring.Get(service, user) })
}

// Delete implements tokenstore.Keyring.
func (k System) Delete(service, user string) error {
	_, err := k.call(func() (string, error) { return "", keyring.Delete(service, user) })
	return err
}

func (k System) call(fn func() (string, error)) (string, error) {
	if err := noSessionBus(k.Env); err != nil {
		return "", err
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1) // buffered: a late answer does not block
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if errors.Is(r.err, keyring.ErrNotFound) {
			return "", tokenstore.ErrKeyringNotFound
		}
		return r.v, r.err
	case <-time.After(timeout):
		return "", fmt.Errorf("the OS keyring did not answer within %s", timeout)
	}
}

// Probe reports whether the platform keyring answers within timeout
// (nil when it does): one lookup of an item that need not exist. On Linux
// and the BSDs, no D-Bus session bus means no keyring, with no call at all.
func Probe(env []string, timeout time.Duration) error {
	_, err := System{Timeout: timeout, Env: env}.Get(tokenstore.KeyringService, "probe")
	if errors.Is(err, tokenstore.ErrKeyringNotFound) {
		return nil
	}
	return err
}
