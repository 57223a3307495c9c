package netmsg

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestExplain: real transport failures become one line naming the host,
// the cause and the next step.
func TestExplain(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close() // nothing listens there now
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	tlsHost := strings.TrimPrefix(tlsSrv.URL, "https://")
	plainHost := strings.TrimPrefix(plain.URL, "http://")

	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		want    string
	}{
		{"refused", "http://" + refused + "/x", 0, "cannot reach " + refused + " (connection refused): is the server up? check the remote URL and bitbucket.apiURL and the proxy settings (HTTPS_PROXY, NO_PROXY)"},
		{"no such host", "https://bitbucket.example.invalid/x", 0, "cannot reach bitbucket.example.invalid:443 (no such host): check the host name in the remote URL and bitbucket.apiURL, or your DNS or VPN"},
		{"unknown CA", tlsSrv.URL + "/x", 0, "cannot reach " + tlsHost + " (TLS: the server's certificate is signed by an unknown authority): install your organisation's CA certificate"},
		{"TLS to a plain port", "https://" + plainHost + "/x", 0, "cannot reach " + plainHost + " (TLS: the server does not speak TLS on this port): use http:// or the right port in the remote URL"},
		{"timeout", hang.URL + "/x", 100 * time.Millisecond, "(no answer in time): is the host reachable from here (VPN, firewall)?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &http.Client{Timeout: tt.timeout}
			if tt.timeout == 0 {
				c.Timeout = 10 * time.Second
			}
			resp, err := c.Get(tt.url)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s succeeded", tt.url)
			}
			got := Explain(err)
			var e *Error
			if !errors.As(got, &e) || !strings.Contains(got.Error(), tt.want) {
				t.Errorf("Explain(%v)\n= %q\nwant it to contain %q", err, got, tt.want)
			}
			if errors.Unwrap(got) != err {
				t.Errorf("the transport error is not kept")
			}
			if strings.Contains(got.Error(), "dial tcp") || strings.Contains(got.Error(), `Get "`) {
				t.Errorf("a raw Go error in %q", got)
			}
		})
	}
}

func TestExplainLeavesOthers(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		nil,
		errors.New("HTTP 500"),
		&url.Error{Op: "Get", URL: "https://h/x", Err: context.Canceled},
		&url.Error{Op: "Get", URL: "https://h/x", Err: errors.New("something else")},
	} {
		if got := Explain(err); got != err {
			t.Errorf("Explain(%v) = %v, want it unchanged", err, got)
		}
	}
	once := Explain(&url.Error{Op: "Get", URL: "https://h/x", Err: context.DeadlineExceeded})
	if twice := Explain(once); twice != once {
		t.Errorf("explained twice: %v", twice)
	}
	if !strings.HasPrefix(once.Error(), "cannot reach h:443 (no answer in time)") {
		t.Errorf("%q", once)
	}
}
