package cloud

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// TestHostilePasteDuringAuthorize: the whole authorization without a
// browser, with what a person may paste (or be tricked into pasting). A
// refused paste ends the flow with a clear error and nothing reaches the
// token endpoint; the line reader stops at 8 KiB. (The paste parser's own
// table is in helper/internal/consent.)
func TestHostilePasteDuringAuthorize(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("a", 1<<20)
	tests := []struct {
		name    string
		paste   func(redirect *url.URL) string
		wantErr string // "": the flow succeeds
	}{
		{"redirect", func(u *url.URL) string { return u.String() }, ""},
		{"1 MB URL with our state after the padding", func(u *url.URL) string {
			return u.Scheme + "://" + u.Host + "/?pad=" + huge + "&" + u.RawQuery
		}, "longer than 8 KiB"},
		{"8 KB blob", func(*url.URL) string { return strings.Repeat("b", 8000) }, "not a URL or an authorization code"},
		{"javascript URL", func(*url.URL) string { return "javascript:alert(document.cookie)" }, "not a URL or an authorization code"},
		{"control characters", func(u *url.URL) string { return "\x1b[2J" + u.Query().Get("code") }, "not a URL or an authorization code"},
		{"error without our state", func(u *url.URL) string { return u.Scheme + "://" + u.Host + "/?error=access_denied" }, "state mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			c := &approver{}
			f.authorize, f.token = c.handler(t), c.exchange(t)
			env := f.env(grant.AuthorizationCode, nil)
			env.Interactive = true
			env.OpenBrowser = func(string) error { return errors.New("no display") }
			tty, screen, keyboard := newTTY(t)
			env.TTY = tty
			go typePaste(t, screen, keyboard, tt.paste)
			got, err := New().Obtain(context.Background(), env, nil, false)
			forms, _ := f.requests()
			if tt.wantErr == "" {
				if err != nil || got.AccessToken != "tok-authorized" {
					t.Fatalf("Obtain = %+v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if len(forms) != 0 {
				t.Errorf("%d requests to the token endpoint, want none", len(forms))
			}
		})
	}
}

// TestHostileBrowserDuringAuthorize runs the whole authorization with a
// browser (or a local process, or a web page that knows the port) that,
// around the real redirect, sends forged callbacks: other paths, other
// methods (even with our state), other states, an error without our
// state, and a second callback after the first. None of them ends the
// wait: the login succeeds, and only the real code is ever exchanged.
func TestHostileBrowserDuringAuthorize(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	c := &approver{}
	f.authorize, f.token = c.handler(t), c.exchange(t)
	env := f.env(grant.AuthorizationCode, nil)
	env.Interactive = true
	noFollow := *f.srv.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	send := func(method, u string) {
		req, err := http.NewRequest(method, u, nil)
		if err != nil {
			t.Errorf("%s %s: %v", method, u, err)
			return
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			return // the listener may be gone after the real redirect
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	env.OpenBrowser = func(authURL string) error {
		go func() {
			authURL := viaStart(t, &noFollow, authURL)
			resp, err := noFollow.Get(authURL)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			resp.Body.Close()
			real, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Errorf("redirect: %v", err)
				return
			}
			state := real.Query().Get("state")
			forge := func(path, q string) string {
				u := *real
				u.Path, u.RawQuery = path, q
				return u.String()
			}
			send("GET", forge("/favicon.ico", "code=evil-1&state="+url.QueryEscape(state)))
			send("GET", forge(real.Path, "code=evil-2&state=evil"))
			send("POST", forge(real.Path, "code=evil-3"))
			send("POST", forge(real.Path, "code=evil-6&state="+url.QueryEscape(state)))
			send("GET", forge(real.Path, "error=access_denied&state=evil"))
			send("GET", forge(real.Path, "error=access_denied"))
			send("GET", forge(real.Path, "code=evil-4&state=evil&state="+url.QueryEscape(state)))
			send("GET", real.String())
			send("GET", forge(real.Path, "code=evil-5&state="+url.QueryEscape(state)))
		}()
		return nil
	}
	got, err := New().Obtain(context.Background(), env, nil, false)
	if err != nil || got.AccessToken != "tok-authorized" {
		t.Fatalf("Obtain = %+v, %v", got, err)
	}
	forms, _ := f.requests()
	for _, form := range forms {
		if code := form.Get("code"); code != "the-code" {
			t.Errorf("exchanged a forged code %q", code)
		}
	}
	if len(forms) != 1 {
		t.Errorf("%d code exchanges, want 1", len(forms))
	}
}
