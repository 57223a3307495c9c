package server

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// callbackServer receives one OAuth redirect on a loopback listener
// (RFC 8252 §7.3).
type callbackServer struct {
	url string // the redirect / callback URL to register with the server
	srv *http.Server
	ch  chan url.Values
}

// startCallback listens on the host and port of redirectURL (a loopback
// http URL; port 0 or none means a random port) or, when redirectURL is
// empty, on 127.0.0.1 with a random port and defaultPath.
func (p *Provider) startCallback(redirectURL, defaultPath string) (*callbackServer, error) {
	scheme, host, port, path := "http", "127.0.0.1", "0", defaultPath
	if redirectURL != "" {
		u, err := url.Parse(redirectURL)
		if err != nil || u.Scheme != "http" || !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("bitbucket.redirectURL %q must be an http URL on a loopback host (127.0.0.1, [::1] or localhost)", redirectURL)
		}
		host = u.Hostname()
		if u.Port() != "" {
			port = u.Port()
		}
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
	}
	listenHost := host
	if strings.EqualFold(host, "localhost") {
		listenHost = "127.0.0.1"
	}
	listen := p.Listen
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", net.JoinHostPort(listenHost, port))
	if err != nil {
		return nil, fmt.Errorf("listening for the OAuth redirect: %w", err)
	}
	_, actualPort, _ := net.SplitHostPort(ln.Addr().String())
	cb := &callbackServer{
		url: scheme + "://" + net.JoinHostPort(host, actualPort) + path,
		ch:  make(chan url.Values, 1),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		select {
		case cb.ch <- q:
		default: // a second redirect: the first one counts
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		msg := "Access granted. You can close this window and return to git."
		if e := q.Get("error"); e != "" || q.Get("oauth_verifier") == "denied" {
			msg = "Access was not granted" + strings.TrimSuffix(" ("+html.EscapeString(sanitize(e))+")", " ()") + ". You can close this window."
		}
		_, _ = io.WriteString(w, "<!doctype html><title>git-credential-bitbucket</title><p>"+msg+"</p>\n")
	})
	cb.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = cb.srv.Serve(ln) }()
	return cb, nil
}

// wait returns the query of the first redirect, or ctx's error.
func (cb *callbackServer) wait(ctx context.Context) (url.Values, error) {
	select {
	case q := <-cb.ch:
		return q, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the browser to come back: %w", ctx.Err())
	}
}

// close lets the page the browser is loading finish (briefly), then stops.
func (cb *callbackServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if cb.srv.Shutdown(ctx) != nil {
		_ = cb.srv.Close()
	}
}

// consentContext bounds a wait for a person.
func (p *Provider) consentContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := p.ConsentTimeout
	if d <= 0 {
		d = 5 * time.Minute
	}
	return context.WithTimeout(ctx, d)
}

// readLine reads one line from the terminal without reading past it,
// giving up when ctx ends (the reader goroutine then finishes on its own
// when the terminal delivers a line or closes).
func readLine(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var sb strings.Builder
		var b [1]byte
		for sb.Len() < 8192 {
			n, err := r.Read(b[:])
			if n == 1 {
				if b[0] == '\n' {
					break
				}
				sb.WriteByte(b[0])
			}
			if err != nil {
				if errors.Is(err, io.EOF) && sb.Len() > 0 {
					break
				}
				ch <- result{err: err}
				return
			}
		}
		ch <- result{s: strings.TrimSpace(sb.String())}
	}()
	select {
	case res := <-ch:
		return res.s, res.err
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for input on the terminal: %w", ctx.Err())
	}
}
