package datacenter

// Transport-level cases a real server cannot easily produce (issue 14
// point 7), on the signed PUT that mints a token: an exact sequence of
// answers for the retry logic, a PUT whose outcome is unknown (connection
// failure, reset mid-body), a DNS failure and a redirect. httpmock is used
// only through the injected client's transport, never through its global
// Activate.

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/redirect"
)

const (
	mockBase = "https://bitbucket.example.com/bitbucket"
	mockPUT  = mockBase + "/rest/access-tokens/1.0/users/alice"
)

// transportEnv is an impersonation env for alice whose client's transport
// is tr. The sweep's listing after a mint finds no tokens.
func transportEnv(t *testing.T, tr *httpmock.MockTransport) *auth.Env {
	t.Helper()
	tr.RegisterResponder(http.MethodGet, mockPUT,
		httpmock.NewStringResponder(200, `{"size":0,"limit":100,"isLastPage":true,"values":[],"start":0}`))
	u, err := url.Parse(mockBase)
	if err != nil {
		t.Fatal(err)
	}
	s := settings2LO(t, grant.OAuth1Impersonate)
	s.User = "alice"
	return &auth.Env{Settings: s, Remote: u, HTTP: &http.Client{Transport: tr}, Now: time.Now,
		Trace: func(format string, args ...any) { t.Logf("trace: "+format, args...) }}
}

// mintAnswer is one answer to the PUT: a minted token when status is 200.
func mintAnswer(status int, retryAfter string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		body := `{"errors":[{"message":"busy"}]}`
		if status == http.StatusOK {
			body = fmt.Sprintf(`{"id":"100000000001","createdDate":%d,"name":"n","token":"MINTED-SECRET-1"}`, time.Now().UnixMilli())
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		if retryAfter != "" {
			resp.Header.Set("Retry-After", retryAfter)
		}
		return resp, nil
	}
}

// resetMidBody answers 200 and then resets the connection inside the body.
func resetMidBody(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: &resetBody{}}, nil
}

// resetBody yields part of a minted token, then a connection reset.
type resetBody struct{ sent bool }

func (b *resetBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `{"id":"1","token":"MINTED-HALF`), nil
	}
	return 0, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

func (b *resetBody) Close() error { return nil }

// minted is what a test compares: the PUTs sent and the token obtained.
type minted struct {
	PUTs  int
	Token string
}

// TestTransportMintSequence: 429 with Retry-After and 503 answers to the
// PUT are retried until the 200; a PUT whose outcome is unknown (no answer,
// or an answer cut mid-body: the token may exist) is never resent.
func TestTransportMintSequence(t *testing.T) {
	t.Parallel()
	noAnswer := httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNRESET})
	tests := []struct {
		name    string
		answers []httpmock.Responder
		want    minted
		wantErr string
		minWait time.Duration // Retry-After honoured
	}{
		{"429 Retry-After 1, 503, then 200", []httpmock.Responder{mintAnswer(429, "1"), mintAnswer(503, ""), mintAnswer(200, "")},
			minted{PUTs: 3, Token: "MINTED-SECRET-1"}, "", time.Second},
		{"429 without Retry-After is final", []httpmock.Responder{mintAnswer(429, ""), mintAnswer(200, "")},
			minted{PUTs: 1}, "HTTP 429", 0},
		{"no answer: never resent", []httpmock.Responder{noAnswer, mintAnswer(200, "")},
			minted{PUTs: 1}, "cannot reach bitbucket.example.com:443 (the connection was closed)", 0},
		{"reset mid-body: never resent", []httpmock.Responder{resetMidBody, mintAnswer(200, "")},
			minted{PUTs: 1}, "reading the response", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := httpmock.NewMockTransport()
			seq := tt.answers[0]
			for _, r := range tt.answers[1:] {
				seq = seq.Then(r)
			}
			tr.RegisterResponder(http.MethodPut, mockPUT, seq)
			start := time.Now()
			rec, err := testProvider().Obtain(t.Context(), transportEnv(t, tr), nil, false)
			if took := time.Since(start); took < tt.minWait {
				t.Errorf("Obtain took %s, want at least %s (Retry-After)", took, tt.minWait)
			}
			got := minted{PUTs: tr.GetCallCountInfo()["PUT "+mockPUT]}
			if rec != nil {
				got.Token = rec.AccessToken
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mint (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Obtain: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n")):
				t.Errorf("Obtain error = %v, want one line with %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "MINTED-") {
				t.Errorf("error %q carries the token", err)
			}
		})
	}
}

// TestTransportFailures: a DNS failure and a redirect of the signed PUT end
// the call after one request with a one-line error; the redirect's target
// is never asked.
func TestTransportFailures(t *testing.T) {
	t.Parallel()
	const evil = "https://evil.example/steal"
	tests := []struct {
		name      string
		responder httpmock.Responder
		want      string
		redirect  bool
	}{
		{name: "DNS failure",
			responder: httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp",
				Err: &net.DNSError{Err: "no such host", Name: "bitbucket.example.com", IsNotFound: true}}),
			want: "cannot reach bitbucket.example.com:443 (no such host)"},
		{name: "307 to another host is not followed",
			responder: func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(http.StatusTemporaryRedirect, "")
				resp.Header.Set("Location", evil)
				return resp, nil
			},
			want: "redirected (HTTP 307) to " + evil, redirect: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := httpmock.NewMockTransport()
			tr.RegisterResponder(http.MethodPut, mockPUT, tt.responder)
			tr.RegisterResponder(http.MethodPut, evil, mintAnswer(200, ""))
			rec, err := testProvider().Obtain(t.Context(), transportEnv(t, tr), nil, false)
			if rec != nil || err == nil {
				t.Fatalf("Obtain = %+v, %v; want no record and an error", rec, err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line with %q", msg, tt.want)
			}
			var re *redirect.Error
			if errors.As(err, &re) != tt.redirect {
				t.Errorf("error %T: a *redirect.Error %v, want %v", err, !tt.redirect, tt.redirect)
			}
			calls := tr.GetCallCountInfo()
			got := map[string]int{"PUT " + mockPUT: calls["PUT "+mockPUT], "PUT " + evil: calls["PUT "+evil]}
			if diff := cmp.Diff(map[string]int{"PUT " + mockPUT: 1, "PUT " + evil: 0}, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
