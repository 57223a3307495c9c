package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/internal/scripttest"
)

// approve opens authorizeURL without following redirects. A redirect or an
// error page is returned as is; a consent page (an HTML form) is approved by
// submitting its form with the approving button, and the answer to that is
// returned. The caller closes the response body.
func approve(ctx context.Context, base *http.Client, authorizeURL string) (*http.Response, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	c := &http.Client{Transport: base.Transport, Timeout: base.Timeout, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "html") {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("consent: read page: %w", err)
	}
	f, ok := scripttest.ConsentForm(string(body))
	if !ok {
		// An error page (or an out-of-band verifier page): hand it back.
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		return resp, nil
	}
	action, err := resp.Request.URL.Parse(f.Action)
	if err != nil {
		return nil, fmt.Errorf("consent: form action %q: %w", f.Action, err)
	}
	var sreq *http.Request
	if f.Method == http.MethodGet {
		action.RawQuery = f.Values.Encode()
		sreq, err = http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
	} else {
		sreq, err = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(f.Values.Encode()))
		if sreq != nil {
			sreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	sresp, err := c.Do(sreq)
	if err != nil {
		return nil, fmt.Errorf("consent: submit: %w", err)
	}
	return sresp, nil
}
