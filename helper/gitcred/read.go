package gitcred

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MalformedError reports a request that must get no credential. It names
// the line and the rule broken, never the offending value, which may be a
// secret.
type MalformedError struct {
	Line   int    // 1-based line number; 0 when the problem is not one line
	Reason string // e.g. "has a carriage return" (after "line N"), "no protocol attribute"
}

func (e *MalformedError) Error() string {
	if e.Line == 0 {
		return "malformed credential request: " + e.Reason
	}
	return fmt.Sprintf("malformed credential request: line %d %s", e.Line, e.Reason)
}

func malformed(line int, reason string) error {
	return &MalformedError{Line: line, Reason: reason}
}

// Read parses one request (up to a blank line or EOF). Malformed input yields
// a *MalformedError and no request.
//
// Rules (git-credential(1) "INPUT/OUTPUT FORMAT"; see also CVE-2024-52006):
// only LF ends a line and one CR directly before it is dropped; any other CR,
// any NUL, a line without '=', a line longer than MaxLineLength bytes
// (newline included; a last line without newline counts as if it had one),
// more than MaxRequestSize bytes in all, a `url` attribute (git never sends
// one to helpers) and a missing or empty `protocol` are malformed. Keys are
// exact and case-sensitive; unknown keys are ignored; a repeated scalar key
// keeps its last value; `[]` keys keep their order. `ephemeral` and
// `continue` are git config booleans.
func Read(r io.Reader) (*Request, error) {
	br := bufio.NewReaderSize(r, readBufferSize)
	req := &Request{}
	total := 0
	for n := 1; ; n++ {
		raw, err := readLine(br)
		if errors.Is(err, errLineTooLong) {
			return nil, malformed(n, fmt.Sprintf("is longer than %d bytes", MaxLineLength))
		}
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return nil, fmt.Errorf("read credential request: %w", err)
		}
		total += len(raw)
		if total > MaxRequestSize {
			return nil, malformed(0, fmt.Sprintf("more than %d bytes in all", MaxRequestSize))
		}
		line, terminated := bytes.CutSuffix(raw, []byte{'\n'})
		if terminated {
			line, _ = bytes.CutSuffix(line, []byte{'\r'})
		}
		if len(line) == 0 && (terminated || eof) {
			break // a blank line or EOF ends the request
		}
		if err := req.parseLine(n, line); err != nil {
			return nil, err
		}
		if eof {
			break
		}
	}
	if req.Protocol == "" {
		return nil, malformed(0, "no protocol attribute")
	}
	return req, nil
}

// readBufferSize is the reader's buffer: a typical request fits, and longer
// lines are gathered up to MaxLineLength.
const readBufferSize = 4096

var errLineTooLong = errors.New("line too long")

// readLine returns the next line with its LF, or the last bytes before EOF
// with io.EOF. A line longer than MaxLineLength (an unterminated last line
// counted as if it had its LF) yields errLineTooLong after reading at most
// MaxLineLength bytes of it; it is never split.
func readLine(br *bufio.Reader) ([]byte, error) {
	var long []byte
	for {
		frag, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(frag) >= MaxLineLength {
				return nil, errLineTooLong
			}
			if long == nil {
				long = make([]byte, 0, MaxLineLength)
			}
			long = append(long, frag...)
			continue
		}
		if long != nil {
			frag = append(long, frag...)
		}
		size := len(frag)
		if !bytes.HasSuffix(frag, []byte{'\n'}) {
			size++
		}
		if size > MaxLineLength {
			return nil, errLineTooLong
		}
		return frag, err
	}
}

// parseLine applies one line (without its terminator) to req.
func (req *Request) parseLine(n int, line []byte) error {
	if bytes.IndexByte(line, '\r') >= 0 {
		return malformed(n, "has a carriage return")
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return malformed(n, "has a NUL byte")
	}
	k, v, ok := bytes.Cut(line, []byte{'='})
	if !ok {
		return malformed(n, "has no '='")
	}
	key, value := string(k), string(v)
	switch key {
	case "protocol":
		req.Protocol = value
	case "host":
		req.Host = value
	case "path":
		req.Path, req.HasPath = value, true
	case "username":
		req.Username, req.HasUsername = value, true
	case "password":
		req.Password, req.HasPassword = value, true
	case "password_expiry_utc":
		req.PasswordExpiryUTC = value
	case "oauth_refresh_token":
		req.OAuthRefreshToken = value
	case "wwwauth[]":
		req.WWWAuth = append(req.WWWAuth, value)
	case "capability[]":
		req.Capabilities = append(req.Capabilities, value)
	case "state[]":
		req.State = append(req.State, value)
	case "authtype":
		req.AuthType = value
	case "credential":
		req.Credential = value
	case "ephemeral", "continue":
		b, ok := parseBool(value)
		if !ok {
			return malformed(n, "has a "+key+" value that is not a boolean")
		}
		if key == "ephemeral" {
			req.Ephemeral = b
		} else {
			req.Continue = b
		}
	case "url":
		// git clears the whole credential when it reads url= and never
		// sends one to a helper: its presence means the input is not git's.
		return malformed(n, "has a url attribute, which git never sends to helpers")
	}
	return nil
}

// parseBool parses a git config boolean (git-config(1) "Values", boolean):
// true/yes/on and false/no/off (any case), the empty string as false, and
// integers (optionally with a k/m/g unit) as true when non-zero.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off", "":
		return false, true
	}
	num := strings.TrimLeft(s, " \t\n\v\f\r") // strtoimax skips leading space
	if num == "" {
		return false, false
	}
	factor := int64(1)
	switch num[len(num)-1:] {
	case "k", "K":
		factor = 1 << 10
	case "m", "M":
		factor = 1 << 20
	case "g", "G":
		factor = 1 << 30
	}
	if factor != 1 {
		num = num[:len(num)-1]
	}
	digits := strings.TrimLeft(num, "+-")
	if strings.Contains(num, "_") || strings.HasPrefix(digits, "0o") || strings.HasPrefix(digits, "0O") ||
		strings.HasPrefix(digits, "0b") || strings.HasPrefix(digits, "0B") {
		return false, false // strtoimax accepts neither
	}
	i, err := strconv.ParseInt(num, 0, 64)
	if err != nil {
		return false, false
	}
	if i > 0 && i > (1<<63-1)/factor || i < 0 && i < (-1<<63)/factor {
		return false, false
	}
	return i != 0, true
}
