// Package consent is the person's side of an OAuth consent, shared by the
// Cloud and Server/DC providers: the loopback listener the browser comes
// back to (RFC 8252 §7.3), the line a person pastes on the terminal, and
// the reading of an authorization response (RFC 6749 §4.1.2).
//
// The gate is always the same: an answer counts only when it carries what
// this helper sent (the state, or the OAuth 1 request token), compared in
// constant time, before anything else in it is looked at. Anything else
// is refused and the wait goes on, so a local process or a web page that
// knows a fixed redirect port cannot end a login.
package consent

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/termsafe"
)

// Accept decides whether a redirect's query is the answer being waited
// for. It must not look at anything but what proves that.
type Accept func(q url.Values) bool

// ParamIs accepts a query whose first value of name equals want, compared
// in constant time (want must not be empty).
func ParamIs(name, want string) Accept {
	return func(q url.Values) bool {
		return want != "" && subtle.ConstantTimeCompare([]byte(q.Get(name)), []byte(want)) == 1
	}
}

// StateIs accepts an OAuth 2 redirect with our state (RFC 6749 §10.12).
func StateIs(state string) Accept { return ParamIs("state", state) }

// Code reads an authorization response (RFC 6749 §4.1.2, §4.1.2.1): the
// state first, then an error, then the code. Text from the query is
// sanitized before it reaches an error.
func Code(q url.Values, state string) (string, error) {
	if !StateIs(state)(q) {
		return "", errors.New("the answer is not from this authorization (state mismatch: a stale or forged redirect)" + Again)
	}
	if e := q.Get("error"); e != "" {
		msg := "access was not granted (" + termsafe.Line(e) + ")"
		if d := q.Get("error_description"); d != "" {
			msg += ": " + termsafe.Line(d)
		}
		return "", errors.New(msg + Again)
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("the redirect carried no authorization code" + Again)
	}
	return code, nil
}

// Again ends the message of a login that failed on the person's side
// with the command to run next.
const Again = "; run git-credential-bitbucket login again"

// maxBareCode is the longest bare code accepted from the terminal.
const maxBareCode = 512

// Paste reads what a person pasted at the prompt: the address the browser
// was sent to (read as Code reads a redirect), or the bare code, which
// must match ^[A-Za-z0-9._~-]{1,512}$ (RFC 3986 unreserved characters).
// Anything else is refused: nothing unchecked reaches the token endpoint.
func Paste(line, state string) (string, error) {
	if line == "" {
		return "", errors.New("nothing was pasted")
	}
	if strings.Contains(line, "?") || strings.Contains(line, "://") {
		u, err := url.Parse(line)
		if err != nil {
			return "", errors.New("the pasted text is not a URL or an authorization code" + Again)
		}
		return Code(u.Query(), state)
	}
	if !IsBareCode(line) {
		return "", fmt.Errorf("the pasted text is not a URL or an authorization code (a code is 1 to %d letters, digits and -._~)"+Again, maxBareCode)
	}
	return line, nil
}

// IsBareCode reports whether s matches ^[A-Za-z0-9._~-]{1,512}$.
func IsBareCode(s string) bool {
	if s == "" || len(s) > maxBareCode {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}
