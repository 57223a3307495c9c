package gitcred_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
)

func request(caps ...string) *gitcred.Request {
	return &gitcred.Request{Protocol: "https", Host: "bitbucket.org", Capabilities: caps}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	expiry := time.Unix(1700000000, 0)
	full := &gitcred.Response{
		Username: "x-token-auth", Password: "tok", PasswordExpiry: expiry, OAuthRefreshToken: "rt",
		AuthType: "Bearer", Credential: "tok", Ephemeral: true,
		State: []string{"bitbucket:seen=abc"}, Continue: true,
	}
	tests := []struct {
		name string
		req  *gitcred.Request
		resp *gitcred.Response
		want string
	}{
		{
			name: "basic answer",
			req:  request(),
			resp: &gitcred.Response{Username: "x-token-auth", Password: "tok", PasswordExpiry: expiry},
			want: "username=x-token-auth\npassword=tok\npassword_expiry_utc=1700000000\n",
		},
		{
			name: "gated attributes dropped without capabilities",
			req:  request(),
			resp: full,
			want: "username=x-token-auth\npassword=tok\npassword_expiry_utc=1700000000\noauth_refresh_token=rt\n",
		},
		{
			name: "authtype only",
			req:  request("authtype"),
			resp: full,
			want: "capability[]=authtype\nauthtype=Bearer\ncredential=tok\nephemeral=1\n" +
				"username=x-token-auth\npassword=tok\npassword_expiry_utc=1700000000\noauth_refresh_token=rt\n",
		},
		{
			name: "state only",
			req:  request("state"),
			resp: full,
			want: "capability[]=state\nusername=x-token-auth\npassword=tok\npassword_expiry_utc=1700000000\n" +
				"oauth_refresh_token=rt\nstate[]=bitbucket:seen=abc\ncontinue=1\n",
		},
		{
			name: "both capabilities",
			req:  request("state", "authtype", "future"),
			resp: full,
			want: "capability[]=authtype\ncapability[]=state\nauthtype=Bearer\ncredential=tok\nephemeral=1\n" +
				"username=x-token-auth\npassword=tok\npassword_expiry_utc=1700000000\noauth_refresh_token=rt\n" +
				"state[]=bitbucket:seen=abc\ncontinue=1\n",
		},
		{
			name: "capability not echoed when not used",
			req:  request("authtype", "state"),
			resp: &gitcred.Response{Username: "alice", Password: "tok"},
			want: "username=alice\npassword=tok\n",
		},
		{name: "empty response", req: request("authtype", "state"), resp: &gitcred.Response{}, want: ""},
		{name: "nil response", req: request(), resp: nil, want: ""},
		{name: "quit", req: request(), resp: &gitcred.Response{Quit: true}, want: "quit=1\n"},
		{
			name: "value at the line limit",
			req:  request(),
			resp: &gitcred.Response{Password: strings.Repeat("p", gitcred.MaxLineLength-len("password=\n"))},
			want: "password=" + strings.Repeat("p", gitcred.MaxLineLength-len("password=\n")) + "\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := gitcred.Write(&buf, tc.req, tc.resp); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if diff := cmp.Diff(tc.want, buf.String()); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
			for _, line := range strings.Split(buf.String(), "\n") {
				key, _, _ := strings.Cut(line, "=")
				switch key {
				case "url", "protocol", "host", "path":
					t.Errorf("Write wrote %q", line)
				}
			}
		})
	}
}

// countingWriter records every call, so "nothing written" means no call.
type countingWriter struct{ calls int }

func (w *countingWriter) Write(p []byte) (int, error) { w.calls++; return len(p), nil }

func TestWriteRefusesBadValues(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t"
	long := strings.Repeat("p", gitcred.MaxLineLength)
	tests := []struct {
		name    string
		resp    gitcred.Response
		wantKey string
	}{
		{"LF in password injects host", gitcred.Response{Username: "u", Password: secret + "\nhost=evil.com"}, "password"},
		{"CR in password", gitcred.Response{Username: "u", Password: secret + "\rhost=evil.com"}, "password"},
		{"NUL in password", gitcred.Response{Username: "u", Password: secret + "\x00"}, "password"},
		{"LF in username", gitcred.Response{Username: "u\nurl=https://evil.com", Password: secret}, "username"},
		{"LF in refresh token", gitcred.Response{Password: secret, OAuthRefreshToken: secret + "\n"}, "oauth_refresh_token"},
		{"CR in credential", gitcred.Response{AuthType: "Bearer", Credential: secret + "\r"}, "credential"},
		{"LF in authtype", gitcred.Response{AuthType: "Bearer\nx=y", Credential: secret}, "authtype"},
		{"NUL in state", gitcred.Response{Password: secret, State: []string{"bitbucket:\x00"}}, "state[]"},
		{"line too long", gitcred.Response{Username: "u", Password: secret + long}, "password"},
		{"expiry before 1970", gitcred.Response{Password: secret, PasswordExpiry: time.Unix(-10, 0)}, "password_expiry_utc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := &countingWriter{}
			err := gitcred.Write(w, request("authtype", "state"), &tc.resp)
			if err == nil {
				t.Fatal("Write succeeded, want an error")
			}
			if w.calls != 0 {
				t.Errorf("Write made %d writes, want none", w.calls)
			}
			var ve *gitcred.ValueError
			if !errors.As(err, &ve) || ve.Key != tc.wantKey {
				t.Errorf("error %v, want a *ValueError for %s", err, tc.wantKey)
			}
			if strings.Contains(err.Error(), secret) || strings.ContainsAny(err.Error(), "\r\n\x00") {
				t.Errorf("error %q leaks the value or is not one line", err)
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	err := gitcred.Write(errWriter{}, request(), &gitcred.Response{Password: "x"})
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Write = %v, want the writer's error", err)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }

func TestWriteRequestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range wellFormed {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := gitcred.WriteRequest(&buf, &tc.want); err != nil {
				t.Fatalf("WriteRequest: %v", err)
			}
			got, err := gitcred.Read(&buf)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteRequestRefusesBadValues(t *testing.T) {
	t.Parallel()
	w := &countingWriter{}
	req := &gitcred.Request{Protocol: "https", Host: "evil.com\nhost=bitbucket.org"}
	if err := gitcred.WriteRequest(w, req); err == nil || w.calls != 0 {
		t.Fatalf("WriteRequest = %v with %d writes, want an error and none", err, w.calls)
	}
}
