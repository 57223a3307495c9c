package cloud

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// codeResult is what the redirect listener or the paste prompt delivers.
type codeResult struct {
	code string
	err  error
}

// authorize runs the authorization code grant (RFC 6749 §4.1) with PKCE
// S256 (RFC 7636) and a random state: a loopback listener on 127.0.0.1
// (RFC 8252 §7.3) receives the redirect from the browser. When no browser
// can be opened, the URL goes to the terminal and the redirected URL (or
// the bare code) is read back from it. Gives up after the auth timeout.
func (c *call) authorize(ctx context.Context) (*tokenstore.Record, error) {
	ln, redirect, err := c.listen()
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	cfg := c.oauthConfig(redirect.String())
	verifier := oauth2.GenerateVerifier()
	state, err := randomState()
	if err != nil {
		return nil, err
	}
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	limit := c.p.AuthTimeout
	if limit <= 0 {
		limit = DefaultAuthTimeout
	}
	actx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	results := make(chan codeResult, 2)
	srv := &http.Server{
		Handler:           callbackHandler(redirect.Path, state, results),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	defer srv.Close()

	origin := c.env.Remote.Scheme + "://" + c.env.Remote.Host
	c.tracef("authorization-code: redirect %s, waiting up to %s", redirect, limit)
	if err := c.openBrowser(authURL); err != nil {
		c.tracef("authorization-code: no browser: %v", err)
		if c.env.TTY == nil {
			return nil, fmt.Errorf("%w: no browser could be opened (%v) and there is no terminal", auth.ErrInteractionRequired, err)
		}
		fmt.Fprintf(c.env.TTY, "To authorize git-credential-bitbucket for %s, open this URL in a browser:\n\n  %s\n\n"+
			"then paste here the address the browser was sent to (or just the code): ", origin, authURL)
		go readPaste(c.env.TTY, state, results)
	} else if c.env.TTY != nil {
		fmt.Fprintf(c.env.TTY, "git-credential-bitbucket: authorize %s in your browser (waiting up to %s)\n", origin, limit)
	}

	var code string
	select {
	case res := <-results:
		if res.err != nil {
			return nil, fmt.Errorf("authorization-code: %w", res.err)
		}
		code = res.code
	case <-actx.Done():
		if ctx.Err() != nil {
			return nil, fmt.Errorf("authorization-code: %w", ctx.Err())
		}
		return nil, fmt.Errorf("authorization-code: gave up waiting for the authorization after %s", limit)
	}
	c.tracef("authorization-code: got a code, exchanging it")
	tok, err := c.retrieve(ctx, "code exchange", func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	})
	if err != nil {
		return nil, err
	}
	return c.record(tok)
}

func (c *call) openBrowser(u string) error {
	if c.env.OpenBrowser == nil {
		return errors.New("no browser opener")
	}
	return c.env.OpenBrowser(u)
}

// listen opens the loopback listener: on the port of bitbucket.redirectURL
// (consumers register a fixed callback) or a random one, always on a
// loopback address. It returns the redirect URL to send.
func (c *call) listen() (net.Listener, *url.URL, error) {
	listen := c.p.Listen
	if listen == nil {
		listen = net.Listen
	}
	redirect := &url.URL{Scheme: "http", Host: "127.0.0.1", Path: "/"}
	port := "0"
	if c.s.RedirectURL != "" {
		u, err := url.Parse(c.s.RedirectURL)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.redirectURL %q must be an http://127.0.0.1[:port]/path loopback URL", c.s.RedirectURL)}
		}
		h := u.Hostname()
		ip := net.ParseIP(h)
		if !strings.EqualFold(h, "localhost") && (ip == nil || !ip.IsLoopback()) {
			return nil, nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.redirectURL %q is not a loopback address", c.s.RedirectURL)}
		}
		redirect = &url.URL{Scheme: "http", Host: u.Host, Path: u.Path}
		if redirect.Path == "" {
			redirect.Path = "/"
		}
		if u.Port() != "" {
			port = u.Port()
		}
	}
	ln, err := listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return nil, nil, fmt.Errorf("authorization-code: listen for the redirect: %w", err)
	}
	if port == "0" {
		_, p, _ := net.SplitHostPort(ln.Addr().String())
		redirect.Host = net.JoinHostPort(hostOnly(redirect.Host), p)
	}
	return ln, redirect, nil
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// randomState is 32 random bytes, base64url.
func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// callbackHandler serves the redirect. A request with the wrong state is
// refused and ignored (it cannot be our browser, and must not end the
// wait); one with the right state delivers the code or the error.
func callbackHandler(path, state string, results chan<- codeResult) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "state mismatch: this is not the authorization git-credential-bitbucket is waiting for", http.StatusBadRequest)
			return
		}
		res := resultFromQuery(q)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if res.err != nil {
			fmt.Fprintf(w, "<!doctype html><title>Authorization failed</title><p>Authorization failed: %s</p>", html.EscapeString(res.err.Error()))
		} else {
			io.WriteString(w, "<!doctype html><title>Authorized</title><p>git-credential-bitbucket is authorized. You can close this window.</p>")
		}
		select {
		case results <- res:
		default:
		}
	})
}

// resultFromQuery reads code or error (RFC 6749 §4.1.2, §4.1.2.1).
func resultFromQuery(q url.Values) codeResult {
	if e := q.Get("error"); e != "" {
		msg := e
		if d := q.Get("error_description"); d != "" {
			msg += ": " + d
		}
		return codeResult{err: fmt.Errorf("the authorization was refused: %s", msg)}
	}
	code := q.Get("code")
	if code == "" {
		return codeResult{err: errors.New("the redirect carried no code")}
	}
	return codeResult{code: code}
}

// readPaste reads one line from the terminal: the URL the browser was
// redirected to (its state must match) or the bare code.
func readPaste(tty io.Reader, state string, results chan<- codeResult) {
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && line == "" {
		results <- codeResult{err: fmt.Errorf("read the pasted code: %w", err)}
		return
	}
	results <- parsePaste(strings.TrimSpace(line), state)
}

func parsePaste(s, state string) codeResult {
	if s == "" {
		return codeResult{err: errors.New("nothing was pasted")}
	}
	if strings.Contains(s, "?") || strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return codeResult{err: errors.New("the pasted text is not a URL or a code")}
		}
		q := u.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			return codeResult{err: errors.New("the pasted URL is not from this authorization (state mismatch)")}
		}
		return resultFromQuery(q)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return codeResult{err: errors.New("the pasted text is not a URL or a code")}
		}
	}
	return codeResult{code: s}
}
