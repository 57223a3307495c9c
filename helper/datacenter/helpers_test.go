package datacenter

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// TEST ONLY RSA keys, generated once per test binary (Go refuses < 1024
// bits; 1024 is here to be refused by us).
var (
	testKey     = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
	otherKey    = sync.OnceValue(func() *rsa.PrivateKey { return genKey(2048) })
	smallKey    = sync.OnceValue(func() *rsa.PrivateKey { return genKey(1024) })
	testConsKey = "bbcred-test-link"
)

func genKey(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

func pemPKCS1(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func pemPKCS8(t *testing.T, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// writeKeyFile writes data with mode 0600 into a temp dir.
func writeKeyFile(t *testing.T, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "link.pem")
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// readFileOnly reads secret files without gitconfig's permission check
// (that check has its own test) so that provider tests do not depend on
// gitconfig's body.
func readFileOnly(path string) ([]byte, error) { return os.ReadFile(path) }

// oauthParams parses an `OAuth k="v", ...` Authorization header.
func oauthParams(t *testing.T, h string) map[string]string {
	t.Helper()
	if !strings.HasPrefix(h, "OAuth ") {
		t.Fatalf("Authorization %q: not OAuth", h)
	}
	out := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(h, "OAuth "), ", ") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			t.Fatalf("Authorization part %q malformed", part)
		}
		dv, err := url.PathUnescape(v[1 : len(v)-1])
		if err != nil {
			t.Fatalf("Authorization part %q: %v", part, err)
		}
		out[k] = dv
	}
	return out
}

// enc is an independent RFC 3986 percent-encoder (RFC 5849 §3.6).
func enc(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// verifyOAuth checks r's RSA-SHA1 signature with an implementation
// independent of sign.go, as the server sees the request (r.Host, and
// the given scheme). It returns the oauth_* parameters.
func verifyOAuth(t *testing.T, r *http.Request, pub *rsa.PublicKey) map[string]string {
	t.Helper()
	p := oauthParams(t, r.Header.Get("Authorization"))
	var pairs []string
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	for k, v := range p {
		if k != "oauth_signature" && k != "realm" {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	sort.Strings(pairs)
	base := r.Method + "&" + enc("http://"+strings.ToLower(r.Host)+r.URL.EscapedPath()) + "&" + enc(strings.Join(pairs, "&"))
	sig, err := base64.StdEncoding.DecodeString(p["oauth_signature"])
	if err != nil {
		t.Errorf("oauth_signature not base64: %v", err)
		return p
	}
	sum := sha1.Sum([]byte(base))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig); err != nil {
		t.Errorf("%s %s: signature does not verify over %q", r.Method, r.URL.Path, base)
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_nonce", "oauth_signature_method", "oauth_timestamp", "oauth_version"} {
		if p[k] == "" {
			t.Errorf("%s %s: %s missing or empty", r.Method, r.URL.Path, k)
		}
	}
	if p["oauth_signature_method"] != "RSA-SHA1" {
		t.Errorf("oauth_signature_method = %q", p["oauth_signature_method"])
	}
	return p
}

// fakeDC is an httptest server under a context path whose handlers the
// test registers by "METHOD /path" (path without the context path).
type fakeDC struct {
	t      *testing.T
	srv    *httptest.Server
	ctx    string // context path, e.g. "/bitbucket"
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	calls  []string
}

func newFakeDC(t *testing.T, contextPath string) *fakeDC {
	t.Helper()
	f := &fakeDC{t: t, ctx: contextPath, routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, f.ctx)
		if !strings.HasPrefix(r.URL.Path, f.ctx+"/") {
			t.Errorf("request %s %s outside the context path %q", r.Method, r.URL.Path, f.ctx)
		}
		key := r.Method + " " + path
		f.mu.Lock()
		h := f.routes[key]
		if h == nil && r.Method == http.MethodGet && strings.HasPrefix(path, "/rest/access-tokens/1.0/users/") &&
			strings.Count(path, "/") == 5 {
			// The sweep's listing (sweep.go), when the test does not look
			// at it: no tokens, not recorded among the calls.
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"size":0,"limit":100,"isLastPage":true,"values":[],"start":0}`)
			return
		}
		f.calls = append(f.calls, key)
		f.mu.Unlock()
		if h == nil {
			t.Errorf("unexpected request %s", key)
			http.Error(w, "no route", http.StatusNotFound)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDC) handle(route string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = h
}

func (f *fakeDC) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeDC) base() string { return f.srv.URL + f.ctx }

// env builds an auth.Env for the fake with the given settings.
func (f *fakeDC) env(s *gitconfig.Settings) *auth.Env {
	u, err := url.Parse(f.base())
	if err != nil {
		f.t.Fatal(err)
	}
	return &auth.Env{
		Settings: s,
		Remote:   u,
		HTTP:     f.srv.Client(),
		Now:      time.Now,
		Trace:    func(format string, args ...any) { f.t.Logf("trace: "+format, args...) },
	}
}

// readBody returns the request body as a string.
func readBody(t *testing.T, r *http.Request) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func chmod(path string, mode uint32) error { return os.Chmod(path, os.FileMode(mode)) }
