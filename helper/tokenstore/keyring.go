package tokenstore

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Where a record's secrets live (Record.SecretsIn, Store.SecretsTo).
const (
	SecretsInFile    = "file"    // in tokens.json (Record.SecretsIn is then "")
	SecretsInKeyring = "keyring" // in the OS keyring; tokens.json keeps the metadata
)

// KeyringService is the service name of every item the helper keeps in the
// OS keyring; the item's account is the record's Key (Key.String), e.g.
// `secret-tool lookup service git-credential-bitbucket username https://bitbucket.org`.
const KeyringService = "git-credential-bitbucket"

// ErrKeyringNotFound is returned by a Keyring for an item it does not hold.
var ErrKeyringNotFound = errors.New("not in the keyring")

// Keyring is an OS keyring: the Secret Service on Linux, the Keychain on
// macOS, the Credential Manager on Windows (through
// github.com/zalando/go-keyring), or a test's own. Get and Delete of an
// absent item return an error matching ErrKeyringNotFound. An item may be
// limited in size (Windows: 2,560 bytes); the store splits larger secrets.
type Keyring interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// KeyringError reports a record whose secrets the OS keyring would not
// read, write or delete. It names the key, never a secret.
type KeyringError struct {
	Key Key
	Op  string // read, write, delete
	Err error
}

func (e *KeyringError) Error() string {
	return fmt.Sprintf("cannot %s the secrets of %s in the OS keyring: %v", e.Op, e.Key, e.Err)
}

func (e *KeyringError) Unwrap() error { return e.Err }

// secrets is what a record keeps in the keyring: one JSON object per Key.
type secrets struct {
	AccessToken       string `json:"access_token,omitempty"`
	RefreshToken      string `json:"refresh_token,omitempty"`
	OAuth1Token       string `json:"oauth1_token,omitempty"`
	OAuth1TokenSecret string `json:"oauth1_token_secret,omitempty"`
}

func (r *Record) secrets() secrets {
	return secrets{r.AccessToken, r.RefreshToken, r.OAuth1Token, r.OAuth1TokenSecret}
}

func (r *Record) setSecrets(s secrets) {
	r.AccessToken, r.RefreshToken, r.OAuth1Token, r.OAuth1TokenSecret = s.AccessToken, s.RefreshToken, s.OAuth1Token, s.OAuth1TokenSecret
}

// metadataOnly is r as tokens.json keeps it: without its secrets when they
// live in the keyring.
func (r *Record) metadataOnly() *Record {
	if r.SecretsIn != SecretsInKeyring {
		return r
	}
	m := *r
	m.setSecrets(secrets{})
	return &m
}

func (s *Store) chunker() chunker {
	kr := s.Keyring
	if kr == nil {
		kr = noKeyring{}
	}
	return chunker{kr: kr, service: KeyringService, size: chunkSize}
}

// readSecrets fills in the secrets of the records that keep them in the
// keyring. An item that is gone (removed by the user) leaves the record
// without secrets; a keyring that does not answer is an error.
func (s *Store) readSecrets(recs []*Record) error {
	for _, r := range recs {
		if r.SecretsIn != SecretsInKeyring {
			continue
		}
		v, err := s.chunker().get(r.Key.String())
		if errors.Is(err, ErrKeyringNotFound) {
			continue
		}
		if err != nil {
			return &KeyringError{Key: r.Key, Op: "read", Err: err}
		}
		var sec secrets
		if err := json.Unmarshal([]byte(v), &sec); err != nil {
			return &KeyringError{Key: r.Key, Op: "read", Err: errors.New("the keyring item is not a secrets object")}
		}
		r.setSecrets(sec)
	}
	return nil
}

// writeSecrets puts r's secrets in the keyring (or removes its item when it
// has none). Callers hold the store lock.
func (s *Store) writeSecrets(r *Record) error {
	sec := r.secrets()
	var err error
	if sec == (secrets{}) {
		err = s.chunker().delete(r.Key.String())
	} else {
		data, _ := json.Marshal(sec) // strings only: cannot fail
		err = s.chunker().set(r.Key.String(), string(data))
	}
	if err != nil {
		return &KeyringError{Key: r.Key, Op: "write", Err: err}
	}
	return nil
}

// deleteSecrets removes k's keyring item. Callers hold the store lock.
func (s *Store) deleteSecrets(k Key) error {
	if err := s.chunker().delete(k.String()); err != nil {
		return &KeyringError{Key: k, Op: "delete", Err: err}
	}
	return nil
}

// placeSecrets decides where rec's secrets go, replacing old (nil when
// new): s.SecretsTo, else where rec or old has them, else the file. For the
// keyring it writes them there now, before the file names the item; for
// the file it returns the removal of a keyring item old had, to run once
// the file holds the secrets (a failure there leaves a stale item that the
// next keyring write replaces: the put itself succeeded).
func (s *Store) placeSecrets(rec, old *Record) (after func() error, err error) {
	dest := s.SecretsTo
	if dest == "" {
		dest = rec.SecretsIn
	}
	if dest == "" && old != nil {
		dest = old.SecretsIn
	}
	if dest == SecretsInKeyring {
		rec.SecretsIn = SecretsInKeyring
		return nil, s.writeSecrets(rec)
	}
	rec.SecretsIn = ""
	if old != nil && old.SecretsIn == SecretsInKeyring {
		return func() error { return s.deleteSecrets(rec.Key) }, nil
	}
	return nil, nil
}

// noKeyring is a Store's keyring when none is set: the store itself never
// links an OS keyring (package oskeyring does, and the CLI sets it), so
// that what reads only tokens.json (the fast path, cmd
// git-credential-bitbucket-fast) stays small.
type noKeyring struct{}

var errKeyringUnset = errors.New("no OS keyring is set for this store (Store.Keyring)")

func (noKeyring) Set(string, string, string) error   { return errKeyringUnset }
func (noKeyring) Get(string, string) (string, error) { return "", errKeyringUnset }
func (noKeyring) Delete(string, string) error        { return errKeyringUnset }
