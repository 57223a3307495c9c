package datacenter

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/google/go-cmp/cmp"
)

type fixedNoncer string

func (n fixedNoncer) Nonce() string { return string(n) }

type captureRT struct{ req *http.Request }

var errCaptured = errors.New("captured")

func (c *captureRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.req = r
	return nil, errCaptured
}

// TestSignMatchesDghubble checks that our headers are byte for byte what
// dghubble/oauth1's Transport produces for the same timestamp and nonce,
// for a 3-legged token, an empty (2-legged) token and a signed query.
func TestSignMatchesDghubble(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, url, token string
	}{
		{"3lo", http.MethodGet, "http://127.0.0.1:7990/bitbucket/rest/api/latest/application-properties", "access-token-value"},
		{"2lo empty token", http.MethodPut, "http://127.0.0.1:7990/bitbucket/rest/access-tokens/1.0/users/svc-ci", ""},
		{"impersonation query", http.MethodGet, "https://bb.example.com:8443/ctx/rest/api/1.0/users/al%20ice?xoauth_requestor_id=alice%40example.com&b=2&a=1", ""},
		{"default port dropped", http.MethodDelete, "https://bb.example.com:443/rest/access-tokens/1.0/users/alice/123", "t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			capture := &captureRT{}
			cfg := &oauth1.Config{ConsumerKey: testConsKey, Signer: &oauth1.RSASigner{PrivateKey: testKey()}, Noncer: fixedNoncer("n0nce")}
			ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: capture})
			client := cfg.Client(ctx, oauth1.NewToken(tt.token, "secret-unused"))
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Do(req); !errors.Is(err, errCaptured) {
				t.Fatalf("Do: %v", err)
			}
			want := capture.req.Header.Get("Authorization")
			ts, err := strconv.ParseInt(oauthParams(t, want)["oauth_timestamp"], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			sg := &signer{consumerKey: testConsKey, rsa: &oauth1.RSASigner{PrivateKey: testKey()},
				now: func() time.Time { return time.Unix(ts, 0) }, nonce: func() string { return "n0nce" }}
			mine, _ := http.NewRequest(tt.method, tt.url, nil)
			if err := sg.sign(mine, map[string]string{"oauth_token": tt.token}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, mine.Header.Get("Authorization")); diff != "" {
				t.Errorf("Authorization (-dghubble +ours):\n%s", diff)
			}
			if !strings.Contains(mine.Header.Get("Authorization"), `oauth_token="`+tt.token+`"`) {
				t.Errorf("oauth_token not present as %q", tt.token)
			}
		})
	}
}

func TestSignUsesClockAndFormBody(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	sg := &signer{consumerKey: "k", rsa: &oauth1.RSASigner{PrivateKey: testKey()}, now: func() time.Time { return at }}
	body := "b=2&a=1"
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/x?q=1", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := sg.sign(req, map[string]string{"oauth_callback": "oob"}); err != nil {
		t.Fatal(err)
	}
	p := oauthParams(t, req.Header.Get("Authorization"))
	if got, want := p["oauth_timestamp"], strconv.FormatInt(at.Unix(), 10); got != want {
		t.Errorf("oauth_timestamp = %s, want %s", got, want)
	}
	if _, ok := p["oauth_token"]; ok {
		t.Errorf("request-token leg must not carry oauth_token")
	}
	if p["oauth_callback"] != "oob" {
		t.Errorf("oauth_callback = %q", p["oauth_callback"])
	}
	base, err := signatureBase(req, map[string]string{"oauth_x": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "POST&http%3A%2F%2F127.0.0.1%3A1%2Fx&a%3D1%26b%3D2%26oauth_x%3D1%26q%3D1"; base != want {
		t.Errorf("base string\n got %s\nwant %s", base, want)
	}
	if b := readBody(t, req); b != body {
		t.Errorf("body after signing = %q, want it intact", b)
	}
}
