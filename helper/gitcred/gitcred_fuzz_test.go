package gitcred_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
)

// FuzzReadRoundTrip checks that Read never panics and that a request it
// accepts survives WriteRequest and a second Read unchanged.
func FuzzReadRoundTrip(f *testing.F) {
	// Large seeds make the fuzzer crawl; the line-length edges are covered
	// by the tables in read_test.go.
	for _, tc := range wellFormed {
		if len(tc.in) < 2048 {
			f.Add([]byte(tc.in))
		}
	}
	for _, tc := range hostile {
		if len(tc.in) < 2048 {
			f.Add([]byte(tc.in))
		}
	}
	f.Add([]byte("protocol=https\nhost=h\nephemeral=0x1k\ncontinue=-0\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		req, err := gitcred.Read(bytes.NewReader(in))
		if err != nil {
			if req != nil {
				t.Fatal("Read returned a request with an error")
			}
			if strings.ContainsAny(err.Error(), "\n\r\x00") {
				t.Fatalf("error %q is not one clean line", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := gitcred.WriteRequest(&buf, req); err != nil {
			t.Fatalf("WriteRequest of an accepted request: %v", err)
		}
		again, err := gitcred.Read(&buf)
		if err != nil {
			t.Fatalf("Read of %q: %v", buf.String(), err)
		}
		if diff := cmp.Diff(req, again); diff != "" {
			t.Fatalf("round trip mismatch (-first +second):\n%s", diff)
		}
	})
}

// FuzzWrite checks that Write either refuses a response and writes nothing,
// or writes lines that Read-side rules accept: no CR, no NUL, no over-long
// line, never url/protocol/host/path, and the password comes back intact.
func FuzzWrite(f *testing.F) {
	f.Add("x-token-auth", "tok", "rt", "Bearer", "state", int64(1700000000), true)
	f.Add("u\nhost=evil", "p\r", "", "", "authtype", int64(0), false)
	f.Add("", "", "", "", "", int64(-1), false)
	f.Fuzz(func(t *testing.T, user, pass, refresh, state, capability string, expiry int64, flag bool) {
		req := &gitcred.Request{Protocol: "https", Host: "h", Capabilities: []string{capability}}
		resp := &gitcred.Response{
			Username: user, Password: pass, OAuthRefreshToken: refresh,
			AuthType: "Bearer", Credential: pass, Ephemeral: flag,
			State: []string{state}, Continue: flag, Quit: !flag,
		}
		if expiry != 0 {
			resp.PasswordExpiry = time.Unix(expiry, 0)
		}
		w := &countingWriter{}
		var buf bytes.Buffer
		if err := gitcred.Write(&buf, req, resp); err != nil {
			if err := gitcred.Write(w, req, resp); err == nil || w.calls != 0 {
				t.Fatalf("refused response: second Write = %v with %d writes", err, w.calls)
			}
			return
		}
		out := buf.String()
		if out == "" {
			if pass != "" {
				t.Fatal("password not written")
			}
			return
		}
		if strings.ContainsAny(out, "\r\x00") || !strings.HasSuffix(out, "\n") {
			t.Fatalf("output %q has CR/NUL or no final newline", out)
		}
		sawPassword := pass == ""
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if len(line)+1 > gitcred.MaxLineLength {
				t.Fatalf("line of %d bytes", len(line)+1)
			}
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("line %q has no '='", line)
			}
			switch key {
			case "url", "protocol", "host", "path":
				t.Fatalf("wrote %q", line)
			case "password":
				sawPassword = value == pass
			}
		}
		if !sawPassword {
			t.Fatalf("password not written intact in %q", out)
		}
	})
}
