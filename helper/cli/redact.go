package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// redacted replaces every secret value in traces and messages.
const redacted = "[redacted]"

// minSecretLen is the shortest value redact replaces: shorter values (a
// one-letter password in a hostile request, say) would garble every message
// while protecting nothing.
const minSecretLen = 4

// redactor knows the secret values of one run (tokens, refresh tokens,
// client secrets, the password git sent) and removes them from any text
// before it reaches stderr or a trace. It is the single place that does so:
// every line the CLI writes to stderr goes through it.
type redactor struct {
	mu      sync.Mutex
	secrets []string // longest first, so a secret containing another is replaced whole
}

// add registers values as secrets.
func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < minSecretLen {
			continue
		}
		dup := false
		for _, s := range r.secrets {
			if s == v {
				dup = true
				break
			}
		}
		if !dup {
			r.secrets = append(r.secrets, v)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// redact returns s with every registered secret replaced.
func (r *redactor) redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}

// oneLine makes msg a single line of printable text: git shows helper
// stderr as is, so a multi-line message from a server could pretend to come
// from git, and escape sequences in it would reach the user's terminal.
// Everything termUnsafe (controls, bidi overrides, line separators)
// becomes a space.
func oneLine(msg string) string {
	msg = strings.Map(func(r rune) rune {
		if termUnsafe(r) {
			return ' '
		}
		return r
	}, msg)
	return strings.TrimSpace(msg)
}

// termUnsafe reports whether r must not reach a terminal from text a
// server chose (issue 10, point 6): C0 and C1 controls and DEL (escape
// sequences), the bidirectional embeddings, overrides and isolates
// U+202A–U+202E and U+2066–U+2069 (text that reads other than it is, the
// "Trojan Source" trick), and the line and paragraph separators U+2028 and
// U+2029 (a second line that looks like git's).
func termUnsafe(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// termText replaces every termUnsafe rune of one line of s with "?", for
// values printed on stdout (status); line breaks of the text itself stay.
func termText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Map(func(r rune) rune {
			if termUnsafe(r) {
				return '?'
			}
			return r
		}, l)
	}
	return strings.Join(lines, "\n")
}

// visibleASCII reports whether s is non-empty and all printable ASCII
// without space: the only thing token prints raw.
func visibleASCII(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e })
}

// messenger writes the CLI's stderr lines and traces, redacted.
type messenger struct {
	stderr io.Writer
	red    *redactor

	traceMu sync.Mutex
	trace   io.Writer // nil: tracing off
	now     func() time.Time
}

// linePrefix starts every line the helper writes on stderr.
const linePrefix = "git-credential-bitbucket: "

// errorf writes one redacted line on stderr.
func (m *messenger) errorf(format string, args ...any) {
	line := oneLine(m.red.redact(fmt.Sprintf(format, args...)))
	io.WriteString(m.stderr, linePrefix+line+"\n")
	m.tracef("said on stderr: %s", line)
}

// sayf writes one redacted line for the person on stderr: progress, not
// a failure (a login's URL when there is no terminal, a retry's wait).
func (m *messenger) sayf(format string, args ...any) { m.errorf(format, args...) }

// tracef writes one redacted trace line when tracing is on.
func (m *messenger) tracef(format string, args ...any) {
	if m.trace == nil {
		return
	}
	line := oneLine(m.red.redact(fmt.Sprintf(format, args...)))
	m.traceMu.Lock()
	defer m.traceMu.Unlock()
	fmt.Fprintf(m.trace, "%strace: %s %s\n", linePrefix, m.now().UTC().Format("15:04:05.000"), line)
}

// openTrace interprets GIT_CREDENTIAL_BITBUCKET_TRACE the way git reads
// GIT_TRACE: "1"/"true" traces to stderr, an absolute path appends to that
// file, anything else ("", "0", "false", a relative path) turns tracing off.
// The returned closer is never nil.
func openTrace(value string, stderr io.Writer) (io.Writer, func(), error) {
	switch strings.ToLower(value) {
	case "", "0", "false", "no", "off":
		return nil, func() {}, nil
	case "1", "2", "true", "yes", "on":
		return stderr, func() {}, nil
	}
	if !filepath.IsAbs(value) {
		return nil, func() {}, nil
	}
	f, err := os.OpenFile(value, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, func() {}, fmt.Errorf("open trace file: %w", err)
	}
	return f, func() { f.Close() }, nil
}
