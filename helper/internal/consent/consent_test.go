package consent

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestReadPaste: what a person may paste (or be tricked into pasting) at
// the "paste the redirect URL or code" prompt. The state is the gate: the
// address's host, port and scheme are not checked, a URL is only good
// with our state, a bare code only when it matches
// ^[A-Za-z0-9._~-]{1,512}$, and a line is at most 8 KiB.
func TestReadPaste(t *testing.T) {
	t.Parallel()
	const state = "S-good"
	huge := strings.Repeat("a", 1<<20)
	tests := []struct {
		name     string
		line     string
		wantCode string
		wantErr  string
	}{
		{"redirect", "http://127.0.0.1:41234/?code=c0de&state=S-good", "c0de", ""},
		{"state missing", "http://127.0.0.1:41234/?code=c0de", "", "state mismatch"},
		{"state mismatched", "http://127.0.0.1:41234/?code=c0de&state=evil", "", "state mismatch"},
		{"state empty", "http://127.0.0.1:41234/?code=c0de&state=", "", "state mismatch"},
		{"state case changed", "http://127.0.0.1:41234/?code=c0de&state=s-GOOD", "", "state mismatch"},
		{"state duplicated, evil first", "http://127.0.0.1:41234/?code=c0de&state=evil&state=S-good", "", "state mismatch"},
		// The first value counts; forging it needs our state.
		{"state duplicated, ours first", "http://127.0.0.1:41234/?code=c0de&state=S-good&state=evil", "c0de", ""},
		{"state in the fragment only", "http://127.0.0.1:41234/?code=c0de#state=S-good", "", "state mismatch"},
		{"error=access_denied", "http://127.0.0.1:41234/?error=access_denied&error_description=The+user+denied+access.&state=S-good", "", "access was not granted (access_denied): The user denied access."},
		// The state is checked before the error is looked at.
		{"error without our state", "http://127.0.0.1:41234/?error=access_denied", "", "state mismatch"},
		{"error with escape sequences", "http://127.0.0.1:41234/?error=x%1B%5B31m&error_description=%0D%0Ay%07&state=S-good", "", "access was not granted (x [31m): y"},
		{"error and code", "http://127.0.0.1:41234/?error=server_error&code=c0de&state=S-good", "", "access was not granted (server_error)"},
		{"no code", "http://127.0.0.1:41234/?state=S-good", "", "no authorization code"},
		// The line ends at LF: what follows is never read.
		{"raw CR LF in the URL", "http://127.0.0.1:41234/?code=c0\r\nX-Injected: 1&state=S-good", "", "state mismatch"},
		{"raw CR in the URL", "http://127.0.0.1:41234/?code=c0\rde&state=S-good", "", "not a URL or an authorization code"},
		{"raw NUL in the URL", "http://127.0.0.1:41234/?code=c0\x00de&state=S-good", "", "not a URL or an authorization code"},
		{"raw NUL in a bare code", "c0\x00de", "", "not a URL or an authorization code"},
		{"CR in a bare code", "c0\rde", "", "not a URL or an authorization code"},
		{"ESC in a bare code", "c0\x1b[2Jde", "", "not a URL or an authorization code"},
		// Decoded control characters are passed on as they are: the code
		// only ever travels form-encoded to the token endpoint.
		{"encoded CR LF with our state", "http://127.0.0.1:41234/?code=c0%0D%0Ade&state=S-good", "c0\r\nde", ""},
		{"other host, evil state", "http://evil.example:41234/?code=c0de&state=evil", "", "state mismatch"},
		{"other port, no state", "http://127.0.0.1:1/?code=c0de", "", "state mismatch"},
		{"other host with our state", "https://evil.example/x?code=c0de&state=S-good", "c0de", ""},
		{"javascript URL", "javascript:alert(document.cookie)", "", "not a URL or an authorization code"},
		{"javascript URL with query", "javascript:alert(1)//?code=c0de&state=evil", "", "state mismatch"},
		{"data URL", "data:text/html,<script>alert(1)</script>", "", "not a URL or an authorization code"},
		{"data URL with query", "data:text/html,x?code=c0de", "", "state mismatch"},
		{"percent-encoded bare code", "c0%64e", "", "not a URL or an authorization code"},
		{"spaces inside", "c0 de", "", "not a URL or an authorization code"},
		{"bare code", "c0de-._~", "c0de-._~", ""},
		{"bare code of 512", strings.Repeat("c", 512), strings.Repeat("c", 512), ""},
		{"bare code of 513", strings.Repeat("c", 513), "", "not a URL or an authorization code"},
		{"8 KB blob", strings.Repeat("c", 8000), "", "not a URL or an authorization code"},
		{"empty", "", "", "nothing was pasted"},
		{"only spaces", " \t ", "", "nothing was pasted"},
		{"1 MB URL with evil state", "http://127.0.0.1:41234/?code=c0de&state=evil&pad=" + huge, "", "longer than 8 KiB"},
		{"1 MB URL with our state after the padding", "http://127.0.0.1:41234/?pad=" + huge + "&code=c0de&state=S-good", "", "longer than 8 KiB"},
		{"1 MB bare code", huge, "", "longer than 8 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, err := readPaste(t.Context(), strings.NewReader(tt.line+"\r\n"), state)
			if code != tt.wantCode {
				t.Errorf("code = %q, want %q", code, tt.wantCode)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCodeChecksStateFirst(t *testing.T) {
	t.Parallel()
	for _, q := range []url.Values{
		{"error": {"access_denied"}},
		{"error": {"access_denied"}, "state": {"evil"}},
		{"code": {"c"}, "state": {""}},
		{"code": {"c"}, "state": {"evil", "S"}},
	} {
		if code, err := Code(q, "S"); err == nil || !strings.Contains(err.Error(), "state mismatch") || code != "" {
			t.Errorf("Code(%v) = %q, %v; want a state mismatch", q, code, err)
		}
	}
	if code, err := Code(url.Values{"code": {"c"}}, ""); err == nil {
		t.Errorf("an empty state accepted code %q", code)
	}
}

func TestReadLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        error // nil: none; errLong: too long
		rest           int   // bytes left unread
	}{
		{"one line", "  V123 \r\nrest", "V123", nil, 4},
		{"no newline", "V123", "V123", nil, 0},
		{"empty", "", "", io.EOF, 0},
		{"exactly 8 KiB", strings.Repeat("a", 8192) + "\n", strings.Repeat("a", 8192), nil, 0},
		{"8 KiB and one", strings.Repeat("a", 8193) + "\n", "", errLong, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := strings.NewReader(tt.in)
			got, err := ReadLine(t.Context(), r)
			switch {
			case tt.wantErr == errLong:
				if err == nil || !strings.Contains(err.Error(), "longer than 8 KiB") {
					t.Errorf("error %v, want too long", err)
				}
			case !errors.Is(err, tt.wantErr):
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want || r.Len() != tt.rest {
				t.Errorf("got %q with %d bytes left, want %q with %d", got, r.Len(), tt.want, tt.rest)
			}
		})
	}
	t.Run("gives up with the context", func(t *testing.T) {
		t.Parallel()
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := ReadLine(ctx, pr); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want the deadline", err)
		}
	})
}

var errLong = errors.New("too long")
