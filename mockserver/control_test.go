package mockserver_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

func TestControlClock(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	for _, base := range []string{run.CloudURL, strings.TrimSuffix(run.ServerURL, run.Mock.ContextPath())} {
		r := mockhttp.Get(t, base+"/_mock/clock", "")
		now, err := time.Parse(time.RFC3339, mockhttp.Str(r.JSON(t), "now"))
		if r.Status != 200 || err != nil || time.Since(now) > time.Minute || time.Since(now) < -time.Minute {
			t.Fatalf("GET clock on %s: %d %s", base, r.Status, r.Body)
		}
	}
	r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/clock", `{"advance":"2h"}`)
	now, _ := time.Parse(time.RFC3339, mockhttp.Str(r.JSON(t), "now"))
	if d := time.Until(now); r.Status != 200 || d < 119*time.Minute || d > 121*time.Minute {
		t.Errorf("POST clock: %d %s", r.Status, r.Body)
	}
	for _, body := range []string{`{"advance":"soon"}`, `{"advance":"-1h"}`, `{"forward":"1h"}`, `not json`} {
		if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/clock", body); r.Status != 400 {
			t.Errorf("POST clock %s: %d", body, r.Status)
		}
	}
}

// TestDateFollowsClock: every response's Date header (OAuth, REST, git,
// 404s, faults and the control API, on both sides) is the mock clock's
// time, so a client can measure its skew against it after /_mock/clock.
func TestDateFollowsClock(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	srvRoot := strings.TrimSuffix(run.ServerURL, run.Mock.ContextPath())
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/faults", `{"path":"/faulted","status":503}`)
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/clock", `{"advance":"10m"}`); r.Status != 200 {
		t.Fatalf("advance: %d %s", r.Status, r.Body)
	}
	urls := []string{
		run.CloudURL + "/_mock/clock",
		run.CloudURL + "/2.0/user",
		run.CloudURL + "/acme/widgets.git/info/refs?service=git-upload-pack",
		run.CloudURL + "/faulted",
		run.CloudURL + "/no/such/page",
		srvRoot + "/_mock/clock",
		run.ServerURL + "/rest/api/1.0/application-properties",
		run.ServerURL + "/scm/pub/open.git/info/refs?service=git-upload-pack",
	}
	for _, u := range urls {
		r := mockhttp.Get(t, u, "")
		date, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			t.Errorf("%s: Date %q: %v", u, r.Header.Get("Date"), err)
			continue
		}
		if skew := time.Until(date); skew < 9*time.Minute || skew > 11*time.Minute {
			t.Errorf("%s: Date %s is %v from now, want the mock clock's +10m", u, date, skew)
		}
		if n := len(r.Header.Values("Date")); n != 1 {
			t.Errorf("%s: %d Date headers", u, n)
		}
	}
	run.Mock.Reset()
	r := mockhttp.Get(t, run.CloudURL+"/2.0/user", "")
	if date, err := http.ParseTime(r.Header.Get("Date")); err != nil || time.Since(date) > time.Minute || time.Since(date) < -time.Minute {
		t.Errorf("after reset: Date %q, want about now", r.Header.Get("Date"))
	}
}

func TestControlFaults(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	tokenURL := run.CloudURL + "/site/oauth2/access_token"
	cc := url.Values{"grant_type": {"client_credentials"}}

	r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/faults", `{"path":"/site/oauth2/access_token","status":503,"times":2,"retry_after":"1","body":"{\"error\":\"temporarily_unavailable\"}"}`)
	if r.Status != 200 {
		t.Fatalf("add fault: %d %s", r.Status, r.Body)
	}
	for i := 0; i < 2; i++ {
		r := mockhttp.TokenRequest(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, cc)
		if r.Status != 503 || r.Header.Get("Retry-After") != "1" || r.Header.Get("Content-Type") != "application/json" || string(r.Body) != `{"error":"temporarily_unavailable"}` {
			t.Errorf("faulted request %d: %d %q %q %s", i, r.Status, r.Header.Get("Retry-After"), r.Header.Get("Content-Type"), r.Body)
		}
	}
	if r := mockhttp.TokenRequest(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, cc); r.Status != 200 {
		t.Errorf("after the fault: %d", r.Status)
	}

	// Method filter and arrays.
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/faults", `[{"path":"/2.0/","method":"POST","status":500},{"path":"/2.0/user","status":429}]`)
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", ""); r.Status != 429 {
		t.Errorf("GET /2.0/user with the 429 fault: %d", r.Status)
	}

	// Delay only: the request goes through afterwards.
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/faults", `{"path":"/site/oauth2/access_token","delay_ms":300}`)
	start := time.Now()
	if r := mockhttp.TokenRequest(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, cc); r.Status != 200 || time.Since(start) < 300*time.Millisecond {
		t.Errorf("delayed request: %d after %v", r.Status, time.Since(start))
	}

	// Hang: held until the client gives up.
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/faults", `{"path":"/site/oauth2/access_token","hang":true}`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req := mockhttp.NewRequest(t, http.MethodPost, tokenURL, strings.NewReader(cc.Encode())).WithContext(ctx)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(mockhttp.PrivKey, mockhttp.PrivSecret)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("hang: got a response %d", resp.StatusCode)
	}

	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/faults", `{"status":500}`); r.Status != 400 {
		t.Errorf("fault without path: %d", r.Status)
	}
}

// TestControlHangReleasedOnClose: closing the mock ends a hanging request.
func TestControlHangReleasedOnClose(t *testing.T) {
	t.Parallel()
	run, err := mockserver.Start(mockserver.Options{ReposDir: t.TempDir()}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	run.Mock.AddFault(mockserver.Fault{Path: "/2.0/", Hang: true})
	done := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Get(run.CloudURL + "/2.0/user")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := run.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	<-done
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("close took %v with a hanging request", d)
	}
}

func TestControlRequestsRevokeReset(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	tok := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	mockhttp.Get(t, run.CloudURL+"/2.0/user", tok)

	r := mockhttp.Get(t, run.CloudURL+"/_mock/requests?path=/site/oauth2/", "")
	var log []mockserver.LoggedRequest
	if err := json.Unmarshal(r.Body, &log); err != nil || len(log) != 1 {
		t.Fatalf("requests: %d %s", r.Status, r.Body)
	}
	got := log[0]
	got.Time = time.Time{}
	want := mockserver.LoggedRequest{Side: "cloud", Method: "POST", Path: "/site/oauth2/access_token", Grant: "client_credentials", Client: mockhttp.PrivKey, User: "alice", Status: 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log entry (-want +got):\n%s", diff)
	}
	if all := run.Mock.Requests(""); len(all) != 2 || all[1].Path != "/2.0/user" || all[1].User != "alice" {
		t.Errorf("whole log: %+v", all)
	}
	if r := mockhttp.Get(t, run.CloudURL+"/_mock/requests?path=/nothing", ""); string(r.Body) != "[]" {
		t.Errorf("empty log = %s, want []", r.Body)
	}

	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/revoke", `{"token":"unknown"}`); r.Status != 404 {
		t.Errorf("revoke unknown: %d", r.Status)
	}
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/revoke", `{}`); r.Status != 400 {
		t.Errorf("revoke nothing: %d", r.Status)
	}
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/revoke", `{"all":true}`); r.Status != 200 {
		t.Errorf("revoke all: %d", r.Status)
	}
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", tok); r.Status != 401 {
		t.Errorf("token after revoke all: %d", r.Status)
	}

	run.Mock.Advance(time.Hour)
	run.Mock.AddFault(mockserver.Fault{Path: "/2.0/", Status: 500, Times: 5})
	if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/reset", `{}`); r.Status != 200 {
		t.Fatalf("reset: %d", r.Status)
	}
	if d := time.Until(run.Mock.Now()); d > time.Minute {
		t.Errorf("clock after reset is %v ahead", d)
	}
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/repositories/acme", ""); r.Status != 200 {
		t.Errorf("fault survived reset: %d", r.Status)
	}
	if n := len(run.Mock.Requests("/site/")); n != 0 {
		t.Errorf("log after reset has %d token requests", n)
	}
	if r := mockhttp.Get(t, run.CloudURL+"/_mock/nothing", ""); r.Status != 404 {
		t.Errorf("unknown control endpoint: %d", r.Status)
	}
}

// TestStartTLS: --tls serves HTTPS signed by a CA written to DIR/ca.pem.
func TestStartTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run, err := mockserver.Start(mockserver.Options{ReposDir: t.TempDir(), TLSDir: dir}, "127.0.0.1:0", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	if !strings.HasPrefix(run.CloudURL, "https://127.0.0.1:") || !strings.HasPrefix(run.ServerURL, "https://127.0.0.1:") || run.CAFile != filepath.Join(dir, "ca.pem") {
		t.Fatalf("URLs %s %s, CA %s", run.CloudURL, run.ServerURL, run.CAFile)
	}
	pemBytes, err := os.ReadFile(run.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("ca.pem holds no certificate")
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, u := range []string{run.CloudURL + "/2.0/repositories/acme", strings.Replace(run.CloudURL, "127.0.0.1", "localhost", 1) + "/_mock/clock"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
	}
	if resp, err := run.HTTPClient().Get(run.CloudURL + "/_mock/clock"); err != nil {
		t.Errorf("Running.HTTPClient: %v", err)
	} else {
		resp.Body.Close()
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if run, err := mockserver.Start(mockserver.Options{}, addr, ""); err == nil {
			run.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
}
