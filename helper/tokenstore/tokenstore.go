// Package tokenstore keeps token records between helper runs: one versioned
// JSON file, replaced atomically, guarded by cross-process locks.
//
// # Layout
//
// A store is one directory, by default
// ${XDG_STATE_HOME:-$HOME/.local/state}/git-credential-bitbucket, or the
// directory named by $GIT_CREDENTIAL_BITBUCKET_STATE_DIR (see DefaultDir).
// Open creates it with mode 0700 (an existing one must be the user's and
// writable by nobody else; it is never re-moded); it holds:
//
//	tokens.json        {"version":1,"records":[...]}, mode 0600
//	tokens.lock        empty; flock(2)ed by writers for the read-modify-write
//	locks/<hash>.lock  empty; one per Key, flock(2)ed by Store.Lock
//
// # Concurrency
//
// Readers (Get, Find, List) take no lock: writers never modify tokens.json in
// place, they write a temporary file in the same directory, fsync it, rename
// it over tokens.json and fsync the directory, so a reader sees either the old
// or the new file, never a mix. Writers (Put, Delete) hold the store-wide lock
// for the whole read-modify-write, so concurrent processes changing different
// keys lose nothing. A writer killed mid-write leaves at most a temporary file
// (".tokens.json.tmp-*") that readers ignore and the next writer removes.
//
// Store.Lock is a separate per-Key lock the CLI holds around a refresh, so
// that only one process at a time talks to the server for a Key. All locks are
// flock(2) locks on a freshly opened file, which belong to the open file
// description: they exclude other processes and other goroutines of the same
// process alike, and the kernel drops them when a process dies. (On NFS, Linux
// emulates flock(2) with fcntl(2) locks, which belong to a process: there,
// goroutines of one process do not exclude each other.)
//
// # Damage
//
// A file that is not valid JSON, lacks a version, or holds malformed records
// is reported with a *corruptError naming the file; a file written by a newer
// schema is reported with a *versionError. In both cases every operation,
// writes included, refuses to touch the file: a damaged store is never reset,
// so another key's refresh token is never lost to a rewrite. Errors never
// contain token values.
package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"time"
)

// Key identifies the credential a record answers for.
type Key struct {
	Protocol string `json:"protocol"`
	Host     string `json:"host"`           // with ":port" when not default
	Path     string `json:"path,omitempty"` // optional prefix (context path), no leading/trailing "/"
	Username string `json:"username,omitempty"`
}

// String renders k as a URL such as "https://alice@bitbucket.org/scm" for
// messages. A Key holds no secrets.
func (k Key) String() string {
	u := url.URL{Scheme: k.Protocol, Host: k.Host}
	if k.Username != "" {
		u.User = url.User(k.Username)
	}
	if k.Path != "" {
		u.Path = "/" + k.Path
	}
	return u.String()
}

func (k Key) validate() error {
	if k.Protocol == "" || k.Host == "" {
		return fmt.Errorf("token store key %q: protocol and host are required", k.String())
	}
	return nil
}

// Record is everything the helper remembers for one Key. Secrets live in the
// fields marked secret; String/GoString of Record must never print them.
//
// Record implements fmt.Formatter: every verb (%v, %+v, %#v, %s, ...) prints
// "[redacted]" in place of a non-empty secret field. fmt can only call these
// methods on values it can reach through exported fields or directly, so keep
// a Record in an exported field (or print it directly) when a struct holding
// one may be formatted.
type Record struct {
	Key   Key    `json:"key"`
	Kind  string `json:"kind"`  // cloud, server, datacenter
	Grant string `json:"grant"` // bitbucket.grant value that produced it

	GitUsername  string    `json:"git_username"`            // username given to git
	AccessToken  string    `json:"access_token"`            // secret: the git password / bearer token
	TokenType    string    `json:"token_type,omitempty"`    // "bearer"
	Expiry       time.Time `json:"expiry,omitempty"`        // of AccessToken; zero = unknown
	Scopes       string    `json:"scopes,omitempty"`        // space separated
	Account      string    `json:"account,omitempty"`       // account/user slug for status
	RefreshToken string    `json:"refresh_token,omitempty"` // secret

	// Bitbucket Cloud refresh-token bookkeeping (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-refresh-rotation); none of
	// it is secret. RefreshUsed is when the refresh token was issued or
	// last spent (Cloud kills one unused for 90 days). RefreshRefused,
	// when set, is when Bitbucket last refused it: the token is kept as
	// suspect (a lockout refuses valid tokens too) and tried again only
	// after a cool-down; a new login replaces it. ClientFingerprint is a
	// salted HMAC of the client id and secret the record was minted with
	// (never the secret itself), to tell "the secret changed since the
	// login" from "the refresh token is dead".
	RefreshUsed       time.Time `json:"refresh_used,omitzero"`
	RefreshRefused    time.Time `json:"refresh_refused,omitzero"`
	ClientFingerprint string    `json:"client_fingerprint,omitempty"`

	// Server/DC OAuth 1: the long-lived access token (3-legged) and the
	// HTTP access token minted from it for git.
	OAuth1Token       string    `json:"oauth1_token,omitempty"`        // secret
	OAuth1TokenSecret string    `json:"oauth1_token_secret,omitempty"` // secret
	OAuth1Expiry      time.Time `json:"oauth1_expiry,omitempty"`
	MintedTokenID     string    `json:"minted_token_id,omitempty"`
	MintedTokenUser   string    `json:"minted_token_user,omitempty"`

	// grant=static (helper/static): which kind of token AccessToken is
	// (api-token, access-token, http-access-token), and when the expiry
	// warning was last printed. Not secrets.
	TokenKind    string    `json:"token_kind,omitempty"`
	ExpiryWarned time.Time `json:"expiry_warned,omitzero"`

	// Set by the CLI (helper/cli) so that its fast path can answer without
	// reading git config: the refresh margin and bitbucket.authtype in
	// force when the record was written. Not secrets.
	RefreshMargin time.Duration `json:"refresh_margin,omitempty"`
	AuthType      string        `json:"authtype,omitempty"`
	// Identity names the non-secret settings the record was minted for
	// (kind, grant, client id, consumer key, user), so that the slow path
	// does not reuse a refresh token or OAuth 1 token after they change.
	Identity string `json:"identity,omitempty"`

	// SecretsIn is "keyring" when the secrets (AccessToken, RefreshToken,
	// OAuth1Token, OAuth1TokenSecret) live in the OS keyring, tokens.json
	// keeping only the rest; "" means in tokens.json. Not a secret.
	SecretsIn string `json:"secrets_in,omitempty"`

	Updated time.Time `json:"updated"`
}

// Store is the file backend. The zero value with Dir set is usable (the
// directory is created on first write); Open also creates the directory and
// checks its permissions up front. A Store holds no open files between calls
// and may be used from several goroutines.
type Store struct {
	Dir string

	// Now stamps Record.Updated when Put receives a zero Updated; nil means
	// time.Now.
	Now func() time.Time

	// WriteLockTimeout bounds how long Put and Delete wait for the
	// store-wide lock (held by other writers only for one file rewrite);
	// zero means 30s.
	WriteLockTimeout time.Duration

	// SecretsTo says where Put keeps a record's secrets: SecretsInFile,
	// SecretsInKeyring, or "" for where the record (or the one it
	// replaces) has them, tokens.json for a new one. Readers need no
	// setting: each record says where its secrets are.
	SecretsTo string

	// Keyring holds secrets for records kept in the keyring (the CLI sets
	// oskeyring.System); nil means none: such records cannot be read or
	// written, and say so (KeyringError).
	Keyring Keyring

	// beforeRename, when set (by tests), runs after the temporary file is
	// written and synced and before it is renamed over the store file.
	beforeRename func()
}

// Get returns the record for k, or nil and no error when there is none.
// All four fields of k must match exactly.
func (s *Store) Get(k Key) (*Record, error) {
	recs, err := s.List()
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.Key == k {
			return r, nil
		}
	}
	return nil, nil
}

// Find returns the record that answers a request for (protocol, host,
// path, username) by the rule of Select, or nil and no error when none does.
func (s *Store) Find(protocol, host, path, username string) (*Record, error) {
	recs, err := s.List()
	if err != nil {
		return nil, err
	}
	return Select(recs, protocol, host, path, username), nil
}

// Put inserts or replaces the record for r.Key, keeping every other record.
// A zero r.Updated is stored as the current time (r itself is not modified).
// The secrets go where s.SecretsTo says (see placeSecrets). Put refuses to write over a corrupt or newer-schema store file.
func (s *Store) Put(r *Record) error {
	if r == nil {
		return errors.New("token store: put of a nil record")
	}
	if err := r.Key.validate(); err != nil {
		return err
	}
	rec := *r
	if rec.Updated.IsZero() {
		rec.Updated = s.now()
	}
	var after func() error
	return s.update(func(recs []*Record) ([]*Record, bool, error) {
		i := slices.IndexFunc(recs, func(o *Record) bool { return o.Key == rec.Key })
		var old *Record
		if i >= 0 {
			old = recs[i]
		}
		var err error
		if after, err = s.placeSecrets(&rec, old); err != nil {
			return nil, false, err
		}
		if i >= 0 {
			recs[i] = &rec
			return recs, true, nil
		}
		return append(recs, &rec), true, nil
	}, func() error {
		if after != nil {
			_ = after() // see placeSecrets
		}
		return nil
	})
}

// Delete removes the record for k (no error when absent) and, when its
// secrets are in the keyring, their item there. Like Put, it refuses to touch a corrupt or newer-schema store file.
func (s *Store) Delete(k Key) error {
	if _, err := os.Stat(s.Dir); s.Dir != "" && errors.Is(err, fs.ErrNotExist) {
		return nil // nothing stored yet: do not create the directory
	}
	return s.update(func(recs []*Record) ([]*Record, bool, error) {
		i := slices.IndexFunc(recs, func(r *Record) bool { return r.Key == k })
		if i < 0 {
			return recs, false, nil
		}
		// The keyring item goes first: when that fails the record stays,
		// so that a retry finds it (never an orphaned secret).
		if recs[i].SecretsIn == SecretsInKeyring {
			if err := s.deleteSecrets(k); err != nil {
				return nil, false, err
			}
		}
		return slices.Delete(recs, i, i+1), true, nil
	}, func() error { return nil })
}

// List returns all records, in file order (writers keep it sorted by key).
// A missing store (directory or file) holds no records.
func (s *Store) List() ([]*Record, error) {
	return s.load()
}

// Lock takes the cross-process lock for k (used to single-flight refreshes),
// waiting until ctx is done.
//
// The lock excludes every other Lock of the same Key, in this process or any
// other, until unlock is called (or the process exits). It does not block
// Get, Put or Delete: the holder re-reads the store after locking, refreshes,
// and Puts the result. unlock is safe to call more than once. When ctx ends
// first, Lock returns ctx's error wrapped with the key.
func (s *Store) Lock(ctx context.Context, k Key) (unlock func(), err error) {
	return s.lockKey(ctx, k)
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
