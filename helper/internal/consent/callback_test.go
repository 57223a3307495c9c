package consent

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
)

// newCallback is a Callback with handler h, on no listener.
func newCallback(path string) *Callback {
	return &Callback{path: path, ch: make(chan url.Values, 1)}
}

// TestCallbackRequests: requests to the loopback listener that are not
// our browser coming back get 400 (404 off the path) and do not end the
// wait, whatever they carry; the first accepted one ends it; later
// accepted ones get the "already done" page.
func TestCallbackRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
	}{
		{"ours", "GET", "/cb?code=c&state=S-good", http.StatusOK},
		{"ours, refused", "GET", "/cb?error=access_denied&state=S-good", http.StatusOK},
		{"wrong path", "GET", "/favicon.ico?code=evil&state=S-good", http.StatusNotFound},
		{"path prefix", "GET", "/cb/x?code=evil&state=S-good", http.StatusNotFound},
		{"path with trailing slash", "GET", "/cb/?code=evil&state=S-good", http.StatusNotFound},
		{"encoded path", "GET", "/%63b?code=c&state=S-good", http.StatusOK}, // decodes to /cb: the same resource
		{"POST with our state", "POST", "/cb?code=evil&state=S-good", http.StatusBadRequest},
		{"HEAD with our state", "HEAD", "/cb?code=evil&state=S-good", http.StatusBadRequest},
		{"POST with evil state", "POST", "/cb?code=evil&state=evil", http.StatusBadRequest},
		{"PUT without state", "PUT", "/cb?code=evil", http.StatusBadRequest},
		{"state duplicated, evil first", "GET", "/cb?code=evil&state=evil&state=S-good", http.StatusBadRequest},
		{"state in the body only", "POST", "/cb?code=evil", http.StatusBadRequest},
		{"error without state", "GET", "/cb?error=access_denied", http.StatusBadRequest},
		{"error with evil state", "GET", "/cb?error=access_denied&state=evil", http.StatusBadRequest},
		{"empty state", "GET", "/cb?code=evil&state=", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cb := newCallback("/cb")
			h := cb.handler(StateIs("S-good"))
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader("state=S-good&code=evil"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			select {
			case q := <-cb.Done():
				if tt.wantStatus != http.StatusOK {
					t.Errorf("a hostile request ended the wait: %v", q)
				}
			default:
				if tt.wantStatus == http.StatusOK {
					t.Errorf("the request did not end the wait")
				}
			}
		})
	}
}

func TestCallbackFirstAcceptedWins(t *testing.T) {
	t.Parallel()
	cb := newCallback("/cb")
	h := cb.handler(ParamIs("oauth_token", "RT"))
	get := func(target string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return rec.Code, rec.Body.String()
	}
	if code, _ := get("/cb?oauth_token=OTHER&oauth_verifier=EVIL"); code != http.StatusBadRequest {
		t.Errorf("another request token: status %d, want 400", code)
	}
	if code, body := get("/cb?oauth_token=RT&oauth_verifier=V1"); code != http.StatusOK || !strings.Contains(body, pageGranted) {
		t.Errorf("ours: %d %q", code, body)
	}
	if code, body := get("/cb?oauth_token=RT&oauth_verifier=denied"); code != http.StatusOK || !strings.Contains(body, pageAlready) {
		t.Errorf("a second one: %d %q, want the already-done page", code, body)
	}
	if q := <-cb.Done(); q.Get("oauth_verifier") != "V1" {
		t.Errorf("delivered %v, want the first", q)
	}
	select {
	case q := <-cb.Done():
		t.Errorf("a second request was delivered: %v", q)
	default:
	}
}

func TestCallbackPageEscapes(t *testing.T) {
	t.Parallel()
	cb := newCallback("/cb")
	rec := httptest.NewRecorder()
	cb.handler(StateIs("S")).ServeHTTP(rec, httptest.NewRequest("GET", "/cb?state=S&error=%3Cscript%3Ealert(1)%3C/script%3E&error_description=%22%3E%3Cimg", nil))
	if body := rec.Body.String(); strings.Contains(body, "<script>") || strings.Contains(body, "<img") || !strings.Contains(body, pageNotGranted) {
		t.Errorf("page %q", body)
	}
}

// TestListen: the listener binds where the redirect URL says, loopback
// only, and the Callback answers over real HTTP.
func TestListen(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"https://127.0.0.1/cb", "http://example.com/cb", "http://0.0.0.0:1/cb", "http://10.0.0.1/cb", "127.0.0.1:80", "http:///cb", "http://127.example.com/cb", "::"} {
		var ce *auth.ConfigError
		if _, err := Listen(nil, bad, "/"); !errors.As(err, &ce) || !strings.Contains(ce.Msg, "loopback host") {
			t.Errorf("Listen(%q) = %v, want a ConfigError", bad, err)
		}
	}
	var addr string
	listen := func(network, address string) (net.Listener, error) {
		if addr == "" {
			addr = address // the first: IPv4 (a localhost URL adds [::1])
		}
		return net.Listen(network, "127.0.0.1:0")
	}
	cb, err := Listen(listen, "http://localhost:0/x%2Fy", "/")
	if err != nil {
		t.Fatal(err)
	}
	cb.Close()
	if addr != "127.0.0.1:0" || !strings.HasPrefix(cb.URL, "http://localhost:") || !strings.HasSuffix(cb.URL, "/x%2Fy") || strings.Contains(cb.URL, ":0/") {
		t.Errorf("listened on %q, URL %q", addr, cb.URL)
	}

	cb, err = Listen(nil, "", "/callback")
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	cb.Serve(StateIs("S"))
	base := strings.TrimSuffix(cb.URL, "/callback")
	for u, want := range map[string]int{
		base + "/favicon.ico?state=S&code=x": http.StatusNotFound,
		cb.URL + "?state=evil&code=x":        http.StatusBadRequest,
	} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: HTTP %d, want %d", u, resp.StatusCode, want)
		}
	}
	resp, err := http.Get(cb.URL + "?state=S&code=C")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if q, err := cb.Wait(t.Context()); err != nil || q.Get("code") != "C" {
		t.Errorf("Wait = %v, %v", q, err)
	}
}

func TestAwait(t *testing.T) {
	t.Parallel()
	t.Run("pasted", func(t *testing.T) {
		t.Parallel()
		cb := newCallback("/cb")
		code, err := cb.Await(t.Context(), strings.NewReader("http://127.0.0.1:1/cb?code=C&state=S\n"), "S")
		if err != nil || code != "C" {
			t.Errorf("Await = %q, %v", code, err)
		}
	})
	t.Run("browser, refused", func(t *testing.T) {
		t.Parallel()
		cb := newCallback("/cb")
		cb.ch <- url.Values{"state": {"S"}, "error": {"access_denied"}}
		if code, err := cb.Await(t.Context(), nil, "S"); err == nil || !strings.Contains(err.Error(), "not granted") {
			t.Errorf("Await = %q, %v", code, err)
		}
	})
	t.Run("gives up", func(t *testing.T) {
		t.Parallel()
		cb := newCallback("/cb")
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := cb.Await(ctx, pr, "S"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Await = %v, want the deadline", err)
		}
	})
}

// TestListenLocalhostBothFamilies: a localhost redirect URL is answered on
// 127.0.0.1 and on ::1, same port, whichever the browser resolves
// localhost to (issue 10, point 11). Fails on the code that listened on
// 127.0.0.1 only.
func TestListenLocalhostBothFamilies(t *testing.T) {
	t.Parallel()
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		ln.Close()
	}
	cb, err := Listen(nil, "http://localhost/cb", "/")
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	cb.Serve(StateIs("S"))
	u, err := url.Parse(cb.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "::1"} {
		resp, err := http.Get("http://" + net.JoinHostPort(host, u.Port()) + "/cb?state=S&code=x")
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want 200", host, resp.StatusCode)
		}
	}
}
