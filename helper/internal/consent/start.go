package consent

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
)

// Nothing secret reaches a process's arguments or environment (issue 10
// point 8): the authorize URL carries the state and the PKCE challenge
// (or an OAuth 1 request token), and any local user reads a browser's
// argv from ps. The browser is given a single-use loopback URL instead,
// which redirects to the authorize URL.

// startPage is the one URL the browser is started with.
type startPage struct {
	mu     sync.Mutex
	path   string // /start/<random>, "" until Start
	target string // "" once used
}

// Start returns http://HOST:PORT/start/<random> on the callback's
// listener: its first GET redirects (302) to target, and it is gone after
// that (404), so a second process that read the URL from ps gets nothing.
// The callback must be serving.
func (cb *Callback) Start(target string) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	path := "/start/" + base64.RawURLEncoding.EncodeToString(b)
	cb.start.mu.Lock()
	cb.start.path, cb.start.target = path, target
	cb.start.mu.Unlock()
	return cb.origin() + path, nil
}

// serveStart answers the start URL; false when r is not for it.
func (cb *Callback) serveStart(w http.ResponseWriter, r *http.Request) bool {
	cb.start.mu.Lock()
	path := cb.start.path
	if path == "" || r.URL.Path != path {
		cb.start.mu.Unlock()
		return false
	}
	target := cb.start.target
	if r.Method == http.MethodGet {
		cb.start.target = ""
	}
	cb.start.mu.Unlock()
	if r.Method != http.MethodGet || target == "" {
		http.NotFound(w, r)
		return true
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusFound)
	return true
}

// origin is the callback URL's scheme://host:port.
func (cb *Callback) origin() string {
	rest := strings.TrimPrefix(cb.URL, "http://")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return "http://" + rest
}

// BrowserEnv is environ without the helper's own settings
// (GIT_CREDENTIAL_BITBUCKET_*, which may hold a client secret): the
// environment a browser is started with.
func BrowserEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(strings.ToUpper(kv), "GIT_CREDENTIAL_BITBUCKET_") {
			out = append(out, kv)
		}
	}
	return out
}

// Open starts the browser with open on a Start URL for target, so that
// only the single-use start URL reaches the browser's argv.
func (cb *Callback) Open(open func(string) error, target string) error {
	u, err := cb.Start(target)
	if err != nil {
		return err
	}
	return open(u)
}
