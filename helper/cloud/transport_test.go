package cloud

// Transport-level cases a real server cannot easily produce (issue 14
// point 7): an exact sequence of answers for the retry logic, a DNS
// failure, a connection reset mid-body and a redirect on the token
// request. httpmock is used only through the injected client's transport,
// never through its global Activate.

import (
	"errors"
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
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/redirect"
)

const (
	mockOrigin   = "https://bitbucket.example.com"
	mockTokenURL = mockOrigin + "/site/oauth2/access_token"
)

// mockEnv is a client-credentials env whose client's transport is tr.
func mockEnv(t *testing.T, tr http.RoundTripper) *auth.Env {
	t.Helper()
	u, err := url.Parse(mockOrigin + "/team/repo.git")
	if err != nil {
		t.Fatal(err)
	}
	s := &gitconfig.Settings{Kind: "cloud", Grant: grant.ClientCredentials, ClientID: "consumer-key",
		ClientSecret: "consumer-secret-xyz", Timeout: 5 * time.Second, RefreshMargin: 5 * time.Minute}
	return &auth.Env{Settings: s, Remote: u, HTTP: &http.Client{Transport: tr},
		Now:   func() time.Time { return testNow },
		Trace: func(format string, args ...any) { t.Logf("trace: "+format, args...) }}
}

// answer is one response of a sequence: a status, a Retry-After and a
// body (a token when status is 200).
func answer(status int, retryAfter string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		body := `{"error":"temporarily_unavailable"}`
		if status == http.StatusOK {
			body = `{"access_token":"tok-seq","token_type":"bearer","expires_in":7200,"scopes":"repository"}`
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		if retryAfter != "" {
			resp.Header.Set("Retry-After", retryAfter)
		}
		return resp, nil
	}
}

// sequence answers with each responder in turn (the last one for any
// further request: the call counts tell).
func sequence(rs ...httpmock.Responder) httpmock.Responder {
	out := rs[0]
	for _, r := range rs[1:] {
		out = out.Then(r)
	}
	return out
}

// TestTransportRetrySequence: 429 with Retry-After and 503 are retried
// until the 200; a 429 without Retry-After, a 400 and a transport error
// (outcome unknown) are sent once.
func TestTransportRetrySequence(t *testing.T) {
	t.Parallel()
	refused := httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	tests := []struct {
		name      string
		answers   []httpmock.Responder
		wantCalls int
		wantToken string
		minWait   time.Duration // Retry-After honoured
	}{
		{"429 Retry-After 1, 503, then 200", []httpmock.Responder{answer(429, "1"), answer(503, ""), answer(200, "")}, 3, "tok-seq", time.Second},
		{"503, 503, then 200", []httpmock.Responder{answer(503, ""), answer(503, ""), answer(200, "")}, 3, "tok-seq", 0},
		{"429 without Retry-After is final", []httpmock.Responder{answer(429, ""), answer(200, "")}, 1, "", 0},
		{"400 is final", []httpmock.Responder{answer(400, ""), answer(200, "")}, 1, "", 0},
		{"a transport error is never resent", []httpmock.Responder{refused, answer(200, "")}, 1, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := httpmock.NewMockTransport()
			tr.RegisterResponder(http.MethodPost, mockTokenURL, sequence(tt.answers...))
			start := time.Now()
			rec, err := New().Obtain(t.Context(), mockEnv(t, tr), nil, false)
			if took := time.Since(start); took < tt.minWait {
				t.Errorf("Obtain took %s, want at least %s (Retry-After)", took, tt.minWait)
			}
			got := ""
			if rec != nil {
				got = rec.AccessToken
			}
			if (err == nil) != (tt.wantToken != "") {
				t.Errorf("Obtain error = %v", err)
			}
			if diff := cmp.Diff(tt.wantToken, got); diff != "" {
				t.Errorf("access token (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]int{"POST " + mockTokenURL: tt.wantCalls}, tr.GetCallCountInfo()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// resetBody yields part of a token answer, then a connection reset.
type resetBody struct{ sent bool }

func (b *resetBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `{"access_token":"tok-half`), nil
	}
	return 0, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

func (b *resetBody) Close() error { return nil }

// TestTransportFailures: a DNS failure, a reset mid-body and a redirect
// each end the call after one request with a one-line error that says
// what happened, names no secret, and stores nothing.
func TestTransportFailures(t *testing.T) {
	t.Parallel()
	const evil = "https://evil.example/steal"
	tests := []struct {
		name      string
		responder httpmock.Responder
		want      string // in the error
		wantAs    any    // a pointer to the error type errors.As must find, or nil
		wantCalls map[string]int
	}{
		{name: "DNS failure",
			responder: httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp",
				Err: &net.DNSError{Err: "no such host", Name: "bitbucket.example.com", IsNotFound: true}}),
			want:      "cannot reach bitbucket.example.com:443 (no such host)",
			wantCalls: map[string]int{"POST " + mockTokenURL: 1}},
		{name: "connection reset mid-body",
			responder: func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: &resetBody{}}, nil
			},
			want:      "connection reset",
			wantCalls: map[string]int{"POST " + mockTokenURL: 1}},
		{name: "307 to another host is not followed",
			responder: func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(http.StatusTemporaryRedirect, "")
				resp.Header.Set("Location", evil)
				return resp, nil
			},
			want:      "redirected (HTTP 307) to " + evil,
			wantAs:    new(*redirect.Error),
			wantCalls: map[string]int{"POST " + mockTokenURL: 1, "POST " + evil: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := httpmock.NewMockTransport()
			tr.RegisterResponder(http.MethodPost, mockTokenURL, tt.responder)
			if _, ok := tt.wantCalls["POST "+evil]; ok {
				tr.RegisterResponder(http.MethodPost, evil, answer(200, ""))
			}
			rec, err := New().Obtain(t.Context(), mockEnv(t, tr), nil, false)
			if rec != nil || err == nil {
				t.Fatalf("Obtain = %+v, %v; want no record and an error", rec, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line with %q", msg, tt.want)
			}
			if s := containsAny(msg, "consumer-secret-xyz", "tok-half"); s != "" {
				t.Errorf("error %q carries %q", msg, s)
			}
			if tt.wantAs != nil && !errors.As(err, tt.wantAs) {
				t.Errorf("error %T is not a %T", err, tt.wantAs)
			}
			if diff := cmp.Diff(tt.wantCalls, tr.GetCallCountInfo()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}
