package datacenter

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
)

// parseAuthHeader is oauthParams for use off the test goroutine.
func parseAuthHeader(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return nil, fmt.Errorf("authorization %q: not OAuth", h)
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ", ") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("authorization part %q malformed", part)
		}
		dv, err := url.PathUnescape(v[1 : len(v)-1])
		if err != nil {
			return nil, err
		}
		out[k] = dv
	}
	return out, nil
}

// verifySigned checks req's RSA-SHA1 signature against pub, the way the
// server does: rebuild the base string from the request and the header's
// oauth_* parameters (without oauth_signature).
func verifySigned(req *http.Request, pub *rsa.PublicKey) (nonce string, err error) {
	p, err := parseAuthHeader(req.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	sig, err := base64.StdEncoding.DecodeString(p["oauth_signature"])
	if err != nil {
		return "", fmt.Errorf("oauth_signature: %w", err)
	}
	delete(p, "oauth_signature")
	base, err := signatureBase(req, p)
	if err != nil {
		return "", err
	}
	digest := sha1.Sum([]byte(base))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, digest[:], sig); err != nil {
		return "", fmt.Errorf("signature does not verify: %w", err)
	}
	return p["oauth_nonce"], nil
}

// TestSignConcurrently signs with one shared signer from many goroutines
// (run under -race): the signer keeps no per-request state, every
// signature verifies and every nonce is fresh.
func TestSignConcurrently(t *testing.T) {
	t.Parallel()
	const workers, each = 8, 4
	key := testKey()
	sg := &signer{consumerKey: testConsKey, rsa: &oauth1.RSASigner{PrivateKey: key}, now: time.Now}
	reqs := make([]*http.Request, workers*each)
	errs := make([]error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("http://127.0.0.1:7990/bitbucket/rest/access-tokens/1.0/users/u%d?n=%d", w, i), nil)
				if err == nil {
					err = sg.sign(req, map[string]string{"oauth_token": ""})
				}
				reqs[n], errs[n] = req, err
			}
		}()
	}
	wg.Wait()
	nonces := map[string]bool{}
	for n, req := range reqs {
		if errs[n] != nil {
			t.Fatalf("sign %d: %v", n, errs[n])
		}
		nonce, err := verifySigned(req, &key.PublicKey)
		if err != nil {
			t.Fatalf("request %d: %v", n, err)
		}
		if nonce == "" || nonces[nonce] {
			t.Errorf("request %d: nonce %q empty or reused", n, nonce)
		}
		nonces[nonce] = true
	}
}

// countingNoncer hands out distinct nonces safely from many goroutines.
type countingNoncer struct {
	mu sync.Mutex
	n  int
}

func (c *countingNoncer) Nonce() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("nonce-%d", c.n)
}

// TestDghubbleConfigSharedWithNoncer documents the rule for any
// oauth1.Config in this package (today only the tests build one, to
// compare headers): dghubble/oauth1 writes a default Noncer into the
// Config on first use, a data race when the Config is shared, so the
// Noncer is always set. Run under -race, this fails if that rule is broken.
func TestDghubbleConfigSharedWithNoncer(t *testing.T) {
	t.Parallel()
	key := testKey()
	cfg := &oauth1.Config{ConsumerKey: testConsKey, Signer: &oauth1.RSASigner{PrivateKey: key}, Noncer: &countingNoncer{}}
	const workers = 6
	headers := make([]string, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			capture := &captureRT{}
			ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: capture})
			req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:7990/rest/api/latest/application-properties", nil)
			if _, err := cfg.Client(ctx, oauth1.NewToken("", "")).Do(req); !errors.Is(err, errCaptured) {
				errs[w] = fmt.Errorf("Do: %w", err)
				return
			}
			headers[w] = capture.req.Header.Get("Authorization")
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for w, h := range headers {
		if errs[w] != nil {
			t.Fatal(errs[w])
		}
		p, err := parseAuthHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if seen[p["oauth_nonce"]] {
			t.Errorf("nonce %q reused", p["oauth_nonce"])
		}
		seen[p["oauth_nonce"]] = true
	}
}
