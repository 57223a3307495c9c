// Package gitcred reads and writes git's credential helper wire format
// (git-credential(1), "INPUT/OUTPUT FORMAT"). It knows nothing about Bitbucket:
// the policy that decides what to answer lives in helper/cli.
//
// The parser is strict where git's own reader is lenient, because every
// leniency has been an injection vector (CVE-2020-5260, CVE-2024-50338,
// CVE-2024-52006): only LF ends a line, a lone CR or a NUL makes the whole
// request malformed, and an over-long line is rejected, never split.
package gitcred

import (
	"strconv"
	"time"
)

// MaxLineLength is the longest line accepted, newline included (git >= 2.46 docs).
const MaxLineLength = 65535

// MaxRequestSize caps the total size of one request read by Read. A request
// from git is a few hundred bytes plus the server's WWW-Authenticate headers;
// the cap only stops hostile input from using unbounded memory.
const MaxRequestSize = 1 << 20

// Request is one message from git to a helper. Absent and empty values are
// told apart by the Has* fields where git's semantics need it.
type Request struct {
	Protocol string
	Host     string // with ":port" when the URL has one
	Path     string
	HasPath  bool

	Username    string
	HasUsername bool
	Password    string
	HasPassword bool

	PasswordExpiryUTC string // raw decimal seconds as git sent it, "" if absent
	OAuthRefreshToken string

	WWWAuth      []string // wwwauth[] in order
	Capabilities []string // capability[] in order
	State        []string // state[] in order

	AuthType   string
	Credential string
	Ephemeral  bool
	// Continue is git's "continue" flag of a multistage login (2.46+, sent
	// only with capability[]=state).
	Continue bool
}

// HasCapability reports whether the request advertised capability[]=name.
func (r *Request) HasCapability(name string) bool {
	for _, c := range r.Capabilities {
		if c == name {
			return true
		}
	}
	return false
}

// PasswordExpiry returns password_expiry_utc as a time, following git
// (credential.c): 0, a non-numeric or an overflowing value means "no
// expiry" and yields ok == false.
func (r *Request) PasswordExpiry() (t time.Time, ok bool) {
	secs, err := strconv.ParseUint(r.PasswordExpiryUTC, 10, 63)
	if err != nil || secs == 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(secs), 0).UTC(), true
}

// Response is what a helper answers to `get`. Gated attributes (AuthType,
// Credential, Ephemeral need capability "authtype"; State and Continue need
// "state") are written only when the request advertised the capability.
type Response struct {
	Username          string
	Password          string
	PasswordExpiry    time.Time // zero: not written
	OAuthRefreshToken string

	AuthType   string
	Credential string
	Ephemeral  bool
	State      []string
	Continue   bool

	Quit bool
}
