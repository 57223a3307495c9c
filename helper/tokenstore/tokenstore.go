// Package tokenstore keeps token records between helper runs: one versioned
// JSON file, replaced atomically, guarded by cross-process locks.
package tokenstore

import (
	"context"
	"time"
)

// Key identifies the credential a record answers for.
type Key struct {
	Protocol string `json:"protocol"`
	Host     string `json:"host"`           // with ":port" when not default
	Path     string `json:"path,omitempty"` // optional prefix (context path), no leading/trailing "/"
	Username string `json:"username,omitempty"`
}

// Record is everything the helper remembers for one Key. Secrets live in the
// fields marked secret; String/GoString of Record must never print them.
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

	// Server/DC OAuth 1: the long-lived access token (3-legged) and the
	// HTTP access token minted from it for git.
	OAuth1Token       string    `json:"oauth1_token,omitempty"`        // secret
	OAuth1TokenSecret string    `json:"oauth1_token_secret,omitempty"` // secret
	OAuth1Expiry      time.Time `json:"oauth1_expiry,omitempty"`
	MintedTokenID     string    `json:"minted_token_id,omitempty"`
	MintedTokenUser   string    `json:"minted_token_user,omitempty"`

	Updated time.Time `json:"updated"`
}

// Store is the file backend.
type Store struct {
	Dir string
}

// Get returns the record for k, or nil and no error when there is none.
func (s *Store) Get(k Key) (*Record, error) { panic("tokenstore: not written yet") }

// Put inserts or replaces the record for r.Key, keeping every other record.
func (s *Store) Put(r *Record) error { panic("tokenstore: not written yet") }

// Delete removes the record for k (no error when absent).
func (s *Store) Delete(k Key) error { panic("tokenstore: not written yet") }

// List returns all records.
func (s *Store) List() ([]*Record, error) { panic("tokenstore: not written yet") }

// Lock takes the cross-process lock for k (used to single-flight refreshes),
// waiting until ctx is done.
func (s *Store) Lock(ctx context.Context, k Key) (unlock func(), err error) {
	panic("tokenstore: not written yet")
}
