package mockserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cloudTokenRequest is a token endpoint request of consumer key.
func cloudTokenRequest(ctx context.Context, base, key, secret string, form url.Values) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/site/oauth2/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(key, secret)
	return req
}

// tokenPair is the access and refresh token of a token endpoint answer.
func tokenPair(body []byte) (access, refresh string) {
	var v struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	json.Unmarshal(body, &v)
	return v.Access, v.Refresh
}

// TestMockConcurrentMixedLoad sends mixed requests from several clients
// while the clock is advanced (so sweeps run) and the request log is read,
// under -race: token grants, rotating refreshes, REST and git with the
// tokens, signed OAuth 1 calls. Bounded in count and in time.
func TestMockConcurrentMixedLoad(t *testing.T) {
	t.Parallel()
	const workers, perWorker, logSize = 6, 25, 64
	run, base := startServer(t, Options{RequestLog: logSize, AutoApprove: true}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(req *http.Request) (int, []byte, error) {
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	var logged atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A grant of its own through the (auto-approved) authorize page.
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, run.CloudURL+"/site/oauth2/authorize?client_id=mock-rotating&response_type=code", nil)
			resp, err := client.Do(req)
			logged.Add(1)
			if err != nil {
				errs <- "authorize: " + err.Error()
				return
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			code := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}}
			status, body, err := send(cloudTokenRequest(ctx, run.CloudURL, "mock-rotating", "mock-rotating-secret-TEST-ONLY", code))
			logged.Add(1)
			if err != nil || status != http.StatusOK {
				errs <- "code exchange: " + http.StatusText(status) + " " + string(body)
				return
			}
			access, refresh := tokenPair(body)
			for i := range perWorker {
				var req *http.Request
				switch {
				case i%5 == 0:
					req = cloudTokenRequest(ctx, run.CloudURL, "mock-rotating", "mock-rotating-secret-TEST-ONLY", url.Values{"grant_type": {"client_credentials"}})
				case i%5 == 1:
					req = cloudTokenRequest(ctx, run.CloudURL, "mock-rotating", "mock-rotating-secret-TEST-ONLY", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
				case i%5 == 2:
					req, _ = http.NewRequestWithContext(ctx, http.MethodGet, run.CloudURL+"/2.0/user", nil)
					req.Header.Set("Authorization", "Bearer "+access)
				case i%5 == 3 && w%2 == 0:
					req, _ = http.NewRequestWithContext(ctx, http.MethodGet, run.CloudURL+"/acme/widgets.git/info/refs?service=git-upload-pack", nil)
					req.SetBasicAuth("x-token-auth", access)
				default:
					empty := ""
					req = o1Req{Token: &empty, TS: run.Mock.Now()}.Build(t, http.MethodGet, base+"/rest/api/1.0/users/alice").WithContext(ctx)
				}
				status, body, err := send(req)
				logged.Add(1)
				if err != nil || status != http.StatusOK {
					errs <- req.Method + " " + req.URL.Path + ": " + http.StatusText(status) + " " + string(body)
					return
				}
				if strings.HasSuffix(req.URL.Path, "/access_token") {
					a, r := tokenPair(body)
					access = a
					if r != "" {
						refresh = r
					}
				}
			}
		}()
	}
	stop := make(chan struct{})
	var side sync.WaitGroup
	side.Add(1)
	go func() { // the clock (every Advance sweeps) and the log reader
		defer side.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			run.Mock.Advance(5 * time.Second)
			run.Mock.CloudHandler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/_mock/requests", nil))
		}
	}()
	wg.Wait()
	close(stop)
	side.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	entries, dropped := run.Mock.RequestLog("")
	if len(entries) != logSize || dropped != logged.Load()-logSize {
		t.Errorf("request log: %d entries, %d dropped; want %d and %d", len(entries), dropped, logSize, logged.Load()-logSize)
	}
}

// blockingWriter is a client that stops reading: its first Write blocks
// until release is closed.
type blockingWriter struct {
	header  http.Header
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingWriter) Header() http.Header { return b.header }
func (b *blockingWriter) WriteHeader(int)     {}
func (b *blockingWriter) Write(p []byte) (int, error) {
	b.once.Do(func() { close(b.entered) })
	<-b.release
	return len(p), nil
}

// TestCloudTokenAnswerOutsideLock: while one token answer is stuck
// writing to a client, other token requests are served (the grants hold
// the state lock for the map work only, never across I/O).
func TestCloudTokenAnswerOutsideLock(t *testing.T) {
	t.Parallel()
	m := newSweepMock(t, "2025") // client credentials with a refresh token
	h := m.CloudHandler()
	ctx := context.Background()
	cc := url.Values{"grant_type": {"client_credentials"}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, cloudTokenRequest(ctx, "", "mock-private", "mock-private-secret-TEST-ONLY", cc))
	_, refresh := tokenPair(rec.Body.Bytes())
	if refresh == "" {
		t.Fatalf("client credentials: %d %s", rec.Code, rec.Body)
	}
	stuck := &blockingWriter{header: http.Header{}, entered: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(stuck, cloudTokenRequest(ctx, "", "mock-private", "mock-private-secret-TEST-ONLY", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}))
	}()
	defer func() { close(stuck.release); <-done }()
	<-stuck.entered
	served := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, cloudTokenRequest(ctx, "", "mock-private", "mock-private-secret-TEST-ONLY", cc))
		served <- rec.Code
	}()
	select {
	case code := <-served:
		if code != http.StatusOK {
			t.Fatalf("second token request: %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a token request waited for another's answer to be written: the state lock is held across I/O")
	}
}

// newSweepMock is a mock for tests that fill and sweep the stores
// directly; era is the Cloud era ("" = the default, 2026).
func newSweepMock(t *testing.T, era string) *Mock {
	t.Helper()
	f := DefaultFixtures()
	f.Cloud.Era = era
	m, err := New(Options{ReposDir: t.TempDir(), Fixtures: f})
	if err != nil {
		t.Fatalf("new mock: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
