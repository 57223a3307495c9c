package consent

import (
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/termsafe"
)

// ListenFunc opens a listener, as net.Listen does.
type ListenFunc func(network, address string) (net.Listener, error)

// Callback receives one OAuth redirect on a loopback listener (RFC 8252
// §7.3). Only a GET on its path that Accept takes ends the wait; anything
// else gets 400 (404 off the path) and the wait goes on. The first
// accepted request wins; later ones get an "already done" page.
type Callback struct {
	URL string // the redirect / callback URL to send to the server

	path string // decoded: /%63b is /cb, the same resource
	ln   net.Listener
	ln6  net.Listener // [::1] on the same port, for a localhost redirect; nil otherwise
	srv  *http.Server
	ch   chan url.Values
	done atomic.Bool

	start startPage
}

// Listen opens the listener on the host and port of redirectURL (a
// loopback http URL, as registered on the consumer; no port means a
// random one) or, when redirectURL is empty, on 127.0.0.1 with a random
// port and defaultPath. listen nil means net.Listen. Call Serve next.
func Listen(listen ListenFunc, redirectURL, defaultPath string) (*Callback, error) {
	host, port, path, escaped := "127.0.0.1", "0", defaultPath, defaultPath
	if redirectURL != "" {
		u, err := url.Parse(redirectURL)
		if err != nil || u.Scheme != "http" || u.Host == "" || !loopback.Is(u.Hostname()) {
			return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.redirectURL %q must be an http URL on a loopback host (127.0.0.1, [::1] or localhost)", redirectURL)}
		}
		host = u.Hostname()
		if u.Port() != "" {
			port = u.Port()
		}
		path, escaped = u.Path, u.EscapedPath()
		if path == "" {
			path, escaped = "/", "/"
		}
	}
	localhost := strings.EqualFold(host, "localhost")
	listenHost := host
	if localhost {
		listenHost = "127.0.0.1"
	}
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", net.JoinHostPort(listenHost, port))
	if err != nil {
		return nil, fmt.Errorf("listening for the OAuth redirect: %w", err)
	}
	_, actualPort, _ := net.SplitHostPort(ln.Addr().String())
	cb := &Callback{
		URL:  "http://" + net.JoinHostPort(host, actualPort) + escaped,
		path: path,
		ln:   ln,
		ch:   make(chan url.Values, 1),
	}
	if localhost {
		// The browser may resolve localhost to ::1 first (RFC 8252 §8.3,
		// which is why the IP literal is preferred): listen there too, on
		// the same port. A machine without IPv6 loopback keeps 127.0.0.1.
		if ln6, err := listen("tcp", net.JoinHostPort("::1", actualPort)); err == nil {
			cb.ln6 = ln6
		}
	}
	return cb, nil
}

// Serve starts answering requests; accept decides which one is ours.
func (cb *Callback) Serve(accept Accept) {
	cb.srv = &http.Server{Handler: cb.handler(accept), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = cb.srv.Serve(cb.ln) }()
	if cb.ln6 != nil {
		go func() { _ = cb.srv.Serve(cb.ln6) }()
	}
}

// Done delivers the query of the accepted request.
func (cb *Callback) Done() <-chan url.Values { return cb.ch }

// Wait returns the query of the accepted request, or ctx's error.
func (cb *Callback) Wait(ctx context.Context) (url.Values, error) {
	select {
	case q := <-cb.ch:
		return q, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the browser to come back: %w", ctx.Err())
	}
}

// Close lets the page the browser is loading finish (briefly), then stops.
func (cb *Callback) Close() {
	if cb.srv == nil {
		_ = cb.ln.Close()
		if cb.ln6 != nil {
			_ = cb.ln6.Close()
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if cb.srv.Shutdown(ctx) != nil {
		_ = cb.srv.Close()
	}
}

// Pages the browser is shown.
const (
	pageGranted    = "Access granted. You can close this window and return to git."
	pageAlready    = "This authorization is already done. You can close this window."
	pageNotOurs    = "This is not the answer git-credential-bitbucket is waiting for."
	pageNotGranted = "Access was not granted"
)

func (cb *Callback) handler(accept Accept) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cb.serveStart(w, r) {
			return
		}
		if r.URL.Path != cb.path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if r.Method != http.MethodGet || !accept(q) {
			http.Error(w, pageNotOurs, http.StatusBadRequest)
			return
		}
		msg := pageAlready
		if cb.done.CompareAndSwap(false, true) {
			cb.ch <- q // buffered: never blocks, only the first gets here
			msg = pageGranted
			if e := q.Get("error"); e != "" || q.Get("oauth_verifier") == "denied" {
				msg = pageNotGranted + strings.TrimSuffix(" ("+html.EscapeString(termsafe.Line(e))+")", " ()") + ". You can close this window."
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>git-credential-bitbucket</title><p>"+msg+"</p>\n")
	})
}

// Await returns the authorization code from the browser coming back
// (read as Code reads it) or, when paste is not nil, from a line pasted
// there (read as readPaste reads it), whichever comes first.
func (cb *Callback) Await(ctx context.Context, paste io.Reader, state string) (string, error) {
	type pasted struct {
		code string
		err  error
	}
	var ch chan pasted // nil without a terminal: never ready
	if paste != nil {
		ch = make(chan pasted, 1)
		go func() {
			code, err := readPaste(ctx, paste, state)
			ch <- pasted{code, err} // buffered: never blocks
		}()
	}
	select {
	case q := <-cb.ch:
		return Code(q, state)
	case p := <-ch:
		return p.code, p.err
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the browser to come back: %w", ctx.Err())
	}
}
