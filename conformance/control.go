package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// control talks to a mock's /_mock/ control API (mockserver/README.md#control-api-both-listeners-at-the-root-not-under-the-context-path).
type control struct {
	base string // a listener's root URL, e.g. http://127.0.0.1:41001
	http *http.Client

	mu       sync.Mutex
	advanced time.Duration // total clock movement, for Now
}

func (c *control) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("control %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("control %s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("control %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("control %s %s: status %d: %.200s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("control %s: decode: %w", path, err)
		}
	}
	return nil
}

// Now is the wall clock plus every Advance made through this client: the
// control API has no clock read-out, and the mock's clock starts at the
// wall clock.
func (c *control) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.advanced)
}

func (c *control) Advance(ctx context.Context, d time.Duration) error {
	if err := c.do(ctx, http.MethodPost, "/_mock/clock", map[string]string{"advance": d.String()}, nil); err != nil {
		return err
	}
	c.mu.Lock()
	c.advanced += d
	c.mu.Unlock()
	return nil
}

func (c *control) AddFault(ctx context.Context, f mockserver.Fault) error {
	return c.do(ctx, http.MethodPost, "/_mock/faults", f, nil)
}

func (c *control) Requests(ctx context.Context, prefix string) ([]mockserver.LoggedRequest, error) {
	var out []mockserver.LoggedRequest
	err := c.do(ctx, http.MethodGet, "/_mock/requests?path="+url.QueryEscape(prefix), nil, &out)
	return out, err
}

func (c *control) Revoke(ctx context.Context, token string) error {
	return c.do(ctx, http.MethodPost, "/_mock/revoke", map[string]string{"token": token}, nil)
}

func (c *control) RevokeAll(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_mock/revoke", map[string]bool{"all": true}, nil)
}

func (c *control) Reset(ctx context.Context) error {
	if err := c.do(ctx, http.MethodPost, "/_mock/reset", nil, nil); err != nil {
		return err
	}
	c.mu.Lock()
	c.advanced = 0
	c.mu.Unlock()
	return nil
}

func faultOf(path string, status, times int) mockserver.Fault {
	return mockserver.Fault{Path: path, Status: status, Times: times}
}

// RefreshPolicy is GET/POST /_mock/cloud/refresh: the era-2026 refresh
// policy (Go durations). Set sends the non-empty fields.
type RefreshPolicy struct {
	Era     string `json:"era,omitempty"`
	Grace   string `json:"grace,omitempty"`
	Lockout string `json:"lockout,omitempty"`
	Idle    string `json:"idle,omitempty"`
}

func (c *control) CloudRefreshPolicy(ctx context.Context) (RefreshPolicy, error) {
	var p RefreshPolicy
	err := c.do(ctx, http.MethodGet, "/_mock/cloud/refresh", nil, &p)
	return p, err
}

func (c *control) SetCloudRefreshPolicy(ctx context.Context, p RefreshPolicy) error {
	set := map[string]string{}
	for k, v := range map[string]string{"grace": p.Grace, "lockout": p.Lockout, "idle": p.Idle} {
		if v != "" {
			set[k] = v
		}
	}
	return c.do(ctx, http.MethodPost, "/_mock/cloud/refresh", set, nil)
}
