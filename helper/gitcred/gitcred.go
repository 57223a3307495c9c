// Package gitcred reads and writes git's credential helper wire format
// (git-credential(1), "INPUT/OUTPUT FORMAT"). It knows nothing about Bitbucket:
// the policy that decides what to answer lives in helper/cli.
package gitcred

import (
	"io"
	"time"
)

// MaxLineLength is the longest line accepted, newline included (git >= 2.46 docs).
const MaxLineLength = 65535

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

// Read parses one request (up to a blank line or EOF). Malformed input yields
// a *MalformedError and no request.
func Read(r io.Reader) (*Request, error) {
	panic("gitcred.Read: not written yet")
}

// Write writes resp for req. It refuses (error, nothing written) any value
// containing LF, CR or NUL or a line longer than MaxLineLength.
func Write(w io.Writer, req *Request, resp *Response) error {
	panic("gitcred.Write: not written yet")
}
