package cloud

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// approver is an authorize endpoint that approves at once, like the mock
// with auto-approve, remembering the PKCE challenge.
type approver struct {
	mu        sync.Mutex
	challenge string
	query     url.Values
}

func (c *approver) handler(t *testing.T) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		c.mu.Lock()
		c.challenge, c.query = q.Get("code_challenge"), q
		c.mu.Unlock()
		if q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" || q.Get("client_id") != "consumer-key" {
			t.Errorf("authorize query %v", q)
		}
		redirect, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || redirect.Hostname() != "127.0.0.1" {
			t.Errorf("redirect_uri %q is not loopback", q.Get("redirect_uri"))
			return
		}
		v := redirect.Query()
		v.Set("code", "the-code")
		v.Set("state", q.Get("state"))
		redirect.RawQuery = v.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
}

// exchange answers the code exchange, checking the PKCE verifier.
func (c *approver) exchange(t *testing.T) func(w http.ResponseWriter, form url.Values, n int) {
	return func(w http.ResponseWriter, form url.Values, n int) {
		sum := sha256.Sum256([]byte(form.Get("code_verifier")))
		c.mu.Lock()
		challenge := c.challenge
		c.mu.Unlock()
		if form.Get("grant_type") != "authorization_code" || form.Get("code") != "the-code" ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			writeError(w, http.StatusBadRequest, "invalid_grant", "bad code or verifier")
			return
		}
		writeToken(w, "tok-authorized", "rt-authorized", "authorization_code")
	}
}

func TestAuthorizationCodeWithBrowser(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	c := &approver{}
	f.authorize, f.token = c.handler(t), c.exchange(t)
	env := f.env(grant.AuthorizationCode, nil)
	env.Interactive = true
	browser := f.srv.Client()
	env.OpenBrowser = func(u string) error {
		// The "browser" follows the redirect to the loopback listener.
		go func() {
			resp, err := browser.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
	got, err := New().Obtain(context.Background(), env, nil, false)
	if err != nil || got.AccessToken != "tok-authorized" || got.RefreshToken != "rt-authorized" || got.Grant != grant.AuthorizationCode {
		t.Fatalf("Obtain = %+v, %v", got, err)
	}
	if s := c.query.Get("scope"); s != defaultScopes {
		t.Errorf("scope %q, want %q", s, defaultScopes)
	}
}

// fakeTTY is a terminal: the test reads what the helper writes and types
// the answer.
type fakeTTY struct {
	in  *io.PipeReader
	out *io.PipeWriter
}

func (t *fakeTTY) Read(p []byte) (int, error)  { return t.in.Read(p) }
func (t *fakeTTY) Write(p []byte) (int, error) { return t.out.Write(p) }

// newTTY returns the terminal, a reader of what was written to it and a
// writer to type into it.
func newTTY(t *testing.T) (*fakeTTY, *bufio.Reader, *io.PipeWriter) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	return &fakeTTY{in: inR, out: outW}, bufio.NewReader(outR), inW
}

// readAuthURL reads the terminal until the printed authorization URL.
func readAuthURL(t *testing.T, screen *bufio.Reader) string {
	t.Helper()
	for {
		line, err := screen.ReadString('\n')
		if err != nil {
			t.Fatalf("terminal: %v", err)
		}
		if s := strings.TrimSpace(line); strings.HasPrefix(s, "http") {
			go io.Copy(io.Discard, screen) // the prompt that follows
			return s
		}
	}
}

// typePaste is the person at the terminal: they open the printed URL
// elsewhere, the browser lands on a loopback address it cannot reach,
// and they type paste(that address) at the prompt.
func typePaste(t *testing.T, screen *bufio.Reader, keyboard io.Writer, paste func(redirect *url.URL) string) {
	authURL := readAuthURL(t, screen)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Errorf("authorize: %v", err)
		return
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	io.WriteString(keyboard, paste(loc)+"\n") // a line over 8 KiB is never read whole
}

func TestAuthorizationCodePaste(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		paste   func(redirect *url.URL) string
		wantErr string
	}{
		{"redirect URL", func(u *url.URL) string { return u.String() }, ""},
		{"bare code", func(u *url.URL) string { return u.Query().Get("code") }, ""},
		{"URL with another state", func(u *url.URL) string {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
			return u.String()
		}, "state mismatch"},
		{"denied", func(u *url.URL) string {
			return u.Scheme + "://" + u.Host + "/?error=access_denied&state=" + u.Query().Get("state")
		}, "access_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			c := &approver{}
			f.authorize, f.token = c.handler(t), c.exchange(t)
			env := f.env(grant.AuthorizationCode, func(s *gitconfig.Settings) { s.Scopes = "repository" })
			env.Interactive = true
			env.OpenBrowser = func(string) error { return errors.New("no display") }
			tty, screen, keyboard := newTTY(t)
			env.TTY = tty
			go typePaste(t, screen, keyboard, tt.paste)
			got, err := New().Obtain(context.Background(), env, nil, false)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.AccessToken != "tok-authorized" {
				t.Fatalf("Obtain = %+v, %v", got, err)
			}
		})
	}
}

func TestAuthorizationCodeGivesUp(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	env := f.env(grant.AuthorizationCode, nil)
	env.Interactive = true
	env.OpenBrowser = func(string) error { return nil } // a browser nobody uses
	start := time.Now()
	_, err := (&Provider{AuthTimeout: 200 * time.Millisecond}).Obtain(context.Background(), env, nil, false)
	if err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Errorf("err = %v, want gave up", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
}

func TestAuthorizationCodeNoBrowserNoTerminal(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	env := f.env(grant.AuthorizationCode, nil)
	env.Interactive = true
	env.OpenBrowser = func(string) error { return errors.New("no display") }
	_, err := New().Obtain(context.Background(), env, nil, false)
	if !errors.Is(err, auth.ErrInteractionRequired) {
		t.Errorf("err = %v, want ErrInteractionRequired", err)
	}
}
