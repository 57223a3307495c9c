package gitcred

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ValueError reports a value that cannot be written on git's wire: it
// contains LF, CR or NUL, or makes its line too long. Like git's own
// "credential value for <key> contains newline", it names the key, never
// the value.
type ValueError struct {
	Key    string
	Reason string // e.g. "contains a newline"
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("credential value for %s %s", e.Key, e.Reason)
}

// encoder builds the output in memory so that nothing is written when a
// value is refused.
type encoder struct {
	buf bytes.Buffer
	err error
}

// add appends key=value\n after checking value (git-credential(1): values
// must not contain newlines or NUL; CVE-2024-52006: nor carriage returns;
// lines are at most MaxLineLength bytes, newline included).
func (e *encoder) add(key, value string) {
	if e.err != nil {
		return
	}
	switch {
	case strings.IndexByte(value, '\n') >= 0:
		e.err = &ValueError{Key: key, Reason: "contains a newline"}
	case strings.IndexByte(value, '\r') >= 0:
		e.err = &ValueError{Key: key, Reason: "contains a carriage return"}
	case strings.IndexByte(value, 0) >= 0:
		e.err = &ValueError{Key: key, Reason: "contains a NUL byte"}
	case len(key)+len(value)+2 > MaxLineLength:
		e.err = &ValueError{Key: key, Reason: fmt.Sprintf("is too long (%d bytes; a line holds at most %d)", len(value), MaxLineLength)}
	default:
		e.buf.WriteString(key)
		e.buf.WriteByte('=')
		e.buf.WriteString(value)
		e.buf.WriteByte('\n')
	}
}

func (e *encoder) addList(key string, values []string) {
	for _, v := range values {
		e.add(key, v)
	}
}

// flush writes everything at once, or nothing when a value was refused.
func (e *encoder) flush(w io.Writer, what string) error {
	if e.err != nil {
		return fmt.Errorf("write credential %s: %w", what, e.err)
	}
	if e.buf.Len() == 0 {
		return nil
	}
	if _, err := w.Write(e.buf.Bytes()); err != nil {
		return fmt.Errorf("write credential %s: %w", what, err)
	}
	return nil
}

// Write writes resp for req. It refuses (error, nothing written) any value
// containing LF, CR or NUL or a line longer than MaxLineLength.
//
// It follows git-credential(1) for helpers: it writes username, password,
// password_expiry_utc (decimal Unix seconds, when non-zero) and
// oauth_refresh_token; authtype, credential and ephemeral only when req has
// capability[]=authtype, preceded by capability[]=authtype; state[] and
// continue only when req has capability[]=state, preceded by
// capability[]=state; quit=1 when resp.Quit. It never writes url, protocol,
// host or path. A response with nothing to say writes nothing.
func Write(w io.Writer, req *Request, resp *Response) error {
	if resp == nil {
		return nil
	}
	var e encoder
	authtype := req != nil && req.HasCapability("authtype") &&
		(resp.AuthType != "" || resp.Credential != "" || resp.Ephemeral)
	state := req != nil && req.HasCapability("state") && (len(resp.State) > 0 || resp.Continue)
	if authtype {
		e.add("capability[]", "authtype")
	}
	if state {
		e.add("capability[]", "state")
	}
	if authtype {
		if resp.AuthType != "" {
			e.add("authtype", resp.AuthType)
		}
		if resp.Credential != "" {
			e.add("credential", resp.Credential)
		}
		if resp.Ephemeral {
			e.add("ephemeral", "1")
		}
	}
	if resp.Username != "" {
		e.add("username", resp.Username)
	}
	if resp.Password != "" {
		e.add("password", resp.Password)
	}
	if !resp.PasswordExpiry.IsZero() {
		secs := resp.PasswordExpiry.Unix()
		if secs <= 0 {
			// git reads 0 as "no expiry" and cannot parse a negative value.
			e.err = &ValueError{Key: "password_expiry_utc", Reason: "is not after 1970"}
		}
		e.add("password_expiry_utc", strconv.FormatInt(secs, 10))
	}
	if resp.OAuthRefreshToken != "" {
		e.add("oauth_refresh_token", resp.OAuthRefreshToken)
	}
	if state {
		e.addList("state[]", resp.State)
		if resp.Continue {
			e.add("continue", "1")
		}
	}
	if resp.Quit {
		e.add("quit", "1")
	}
	return e.flush(w, "response")
}

// WriteRequest writes req the way git sends it to a helper (git's order,
// credential.c credential_write), for tests and for callers that act as
// git. Every attribute present in req is written, gated or not; protocol
// and host are always written. Values are checked as in Write.
func WriteRequest(w io.Writer, req *Request) error {
	var e encoder
	e.addList("capability[]", req.Capabilities)
	if req.AuthType != "" {
		e.add("authtype", req.AuthType)
	}
	if req.Credential != "" {
		e.add("credential", req.Credential)
	}
	if req.Ephemeral {
		e.add("ephemeral", "1")
	}
	e.add("protocol", req.Protocol)
	e.add("host", req.Host)
	if req.HasPath {
		e.add("path", req.Path)
	}
	if req.HasUsername {
		e.add("username", req.Username)
	}
	if req.HasPassword {
		e.add("password", req.Password)
	}
	if req.OAuthRefreshToken != "" {
		e.add("oauth_refresh_token", req.OAuthRefreshToken)
	}
	if req.PasswordExpiryUTC != "" {
		e.add("password_expiry_utc", req.PasswordExpiryUTC)
	}
	e.addList("wwwauth[]", req.WWWAuth)
	if req.Continue {
		e.add("continue", "1")
	}
	e.addList("state[]", req.State)
	return e.flush(w, "request")
}
