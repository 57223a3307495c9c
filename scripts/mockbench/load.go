package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Test values of the built-in fixtures (mockserver/cloud/fixtures.go): a
// private consumer (client credentials), rotating in both Cloud eras, so any
// refresh token it gets expires after 90 days.
const (
	consumerKey    = "mock-rotating"
	consumerSecret = "mock-rotating-secret-TEST-ONLY"
)

// kind is one request type of the benchmark.
type kind int

const (
	kindBare kind = iota
	kindToken
	kindOAuth1
	kindGit
)

var kindNames = [...]string{"bare net/http handler", "Cloud token endpoint", "signed OAuth 1 REST call", "authenticated git info/refs"}

// client sends the benchmark's requests to a mock (and the bare handler).
type client struct {
	http   *http.Client
	cloud  string // Cloud base URL
	server string // Server/DC base URL, context path included
	bare   string // bare handler URL
	signer *o1Signer

	mu     sync.Mutex
	offset time.Duration // how far the mock clock has been advanced
	token  string        // a Cloud access token for git
}

func newClient(workers int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: 4 * workers, MaxIdleConnsPerHost: 2 * workers, DisableCompression: true,
		},
	}
}

// restURL is the signed REST call's URL.
func (c *client) restURL() string { return c.server + "/rest/api/1.0/users/svc-ci" }

// mockNow is the mock's clock as far as this client knows.
func (c *client) mockNow() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// request builds one request of kind k; auth, when set, is a pre-made
// OAuth 1 Authorization header.
func (c *client) request(k kind, auth string) (*http.Request, error) {
	switch k {
	case kindBare:
		return http.NewRequest(http.MethodGet, c.bare, nil)
	case kindToken:
		req, err := http.NewRequest(http.MethodPost, c.cloud+"/site/oauth2/access_token", strings.NewReader("grant_type=client_credentials"))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(consumerKey, consumerSecret)
		return req, nil
	case kindOAuth1:
		if auth == "" {
			var err error
			if auth, err = c.signer.authorization(c.restURL(), c.mockNow()); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequest(http.MethodGet, c.restURL(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", auth)
		return req, nil
	case kindGit:
		req, err := http.NewRequest(http.MethodGet, c.cloud+"/acme/widgets.git/info/refs?service=git-upload-pack", nil)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		req.SetBasicAuth("x-token-auth", c.token)
		c.mu.Unlock()
		return req, nil
	}
	return nil, fmt.Errorf("unknown request kind %d", k)
}

// toBare points req at the bare handler.
func (c *client) toBare(req *http.Request) error {
	u, err := url.Parse(c.bare)
	if err != nil {
		return err
	}
	req.URL.Scheme, req.URL.Host, req.Host = u.Scheme, u.Host, u.Host
	return nil
}

// send makes one request and wants a 200.
func (c *client) send(req *http.Request) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return err
}

// newToken fetches a Cloud access token for the git requests.
func (c *client) newToken() error {
	req, err := c.request(kindToken, "")
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("token: status %d %v", resp.StatusCode, err)
	}
	tok := accessToken(body)
	if tok == "" {
		return fmt.Errorf("token: no access_token in the answer")
	}
	c.mu.Lock()
	c.token = tok
	c.mu.Unlock()
	return nil
}

// advance moves the mock's clock (POST /_mock/clock) and keeps the
// client's view of it in step.
func (c *client) advance(d time.Duration) error {
	body := fmt.Sprintf(`{"advance":%q}`, d.String())
	req, err := http.NewRequest(http.MethodPost, c.cloud+"/_mock/clock", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if err := c.send(req); err != nil {
		return fmt.Errorf("advance clock: %w", err)
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return nil
}

// fire sends n requests from workers goroutines; next(i) builds the i-th.
// It returns the wall time taken and the first error.
func fire(ctx context.Context, c *client, workers, n int, next func(i int) (*http.Request, error)) (time.Duration, error) {
	var idx atomic.Int64
	var first atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && first.Load() == nil {
				i := int(idx.Add(1)) - 1
				if i >= n {
					return
				}
				req, err := next(i)
				if err == nil {
					err = c.send(req.WithContext(ctx))
				}
				if err != nil {
					first.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	if e := first.Load(); e != nil {
		return 0, *e
	}
	return time.Since(start), ctx.Err()
}

// accessToken is the access_token of a token endpoint answer.
func accessToken(body []byte) string {
	var v struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.AccessToken
}
