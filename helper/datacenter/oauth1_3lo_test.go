package datacenter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// consentBrowser plays the user: it opens the authorize URL on the fake,
// which redirects to the callback with a verifier.
func consentBrowser(t *testing.T, client *http.Client) func(string) error {
	return func(u string) error {
		go func() {
			resp, err := client.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
		return nil
	}
}

// fake3LO serves the three OAuth 1 endpoints; accessTokens are issued as
// AT-1, AT-2, ...
type fake3LO struct {
	callbacks atomic.Value // last oauth_callback
	issued    atomic.Int32
}

func (x *fake3LO) install(t *testing.T, f *fakeDC) {
	f.handle("POST /plugins/servlet/oauth/request-token", func(w http.ResponseWriter, r *http.Request) {
		p := verifyOAuth(t, r, &testKey().PublicKey)
		if _, ok := p["oauth_token"]; ok {
			t.Errorf("request-token carries oauth_token")
		}
		x.callbacks.Store(p["oauth_callback"])
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "oauth_token=RT&oauth_token_secret=RTS&oauth_callback_confirmed=true")
	})
	f.handle("GET /plugins/servlet/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("oauth_token") != "RT" {
			t.Errorf("authorize oauth_token = %q", r.URL.Query().Get("oauth_token"))
		}
		cb := x.callbacks.Load().(string)
		if cb == "oob" {
			io.WriteString(w, "verifier: V123")
			return
		}
		http.Redirect(w, r, cb+"?oauth_token=RT&oauth_verifier=V123", http.StatusFound)
	})
	f.handle("POST /plugins/servlet/oauth/access-token", func(w http.ResponseWriter, r *http.Request) {
		p := verifyOAuth(t, r, &testKey().PublicKey)
		if p["oauth_token"] != "RT" || p["oauth_verifier"] != "V123" {
			t.Errorf("access-token token/verifier = %q/%q", p["oauth_token"], p["oauth_verifier"])
		}
		i := x.issued.Add(1)
		fmt.Fprintf(w, "oauth_token=AT-%d&oauth_token_secret=ATS&oauth_expires_in=157680000&oauth_session_handle=H&oauth_authorization_expires_in=160272000", i)
	})
}

func settings3LO(t *testing.T) *gitconfig.Settings {
	return settings2LO(t, grant.OAuth1)
}

func TestObtain3LOConsentThenMint(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	x := &fake3LO{}
	x.install(t, f)
	var n atomic.Int32
	f.handle("GET /rest/api/latest/application-properties", appProps(t, "AT-1", "alice"))
	f.handle("PUT /rest/access-tokens/1.0/users/alice", createTokenHandler(t, "AT-1", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
	env := f.env(settings3LO(t))
	env.Interactive = true
	env.OpenBrowser = consentBrowser(t, f.srv.Client())
	rec, err := testProvider().Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	if rec.OAuth1Token != "AT-1" || rec.OAuth1TokenSecret != "ATS" || rec.GitUsername != "alice" || rec.AccessToken != "MINTED-SECRET-1" {
		t.Errorf("record: token %q user %q", rec.OAuth1Token, rec.GitUsername)
	}
	if d := time.Until(rec.OAuth1Expiry); d < 4*365*24*time.Hour {
		t.Errorf("OAuth1Expiry in %v, want about 5 years", d)
	}
	cb := x.callbacks.Load().(string)
	if !strings.HasPrefix(cb, "http://127.0.0.1:") || !strings.HasSuffix(cb, "/oauth1/callback") {
		t.Errorf("oauth_callback = %q, want a loopback URL", cb)
	}

	// Next time the access token is reused: no consent, a new mint (and
	// the old minted token deleted).
	f.handle("DELETE /rest/access-tokens/1.0/users/alice/100000000001", func(w http.ResponseWriter, r *http.Request) {
		wantOAuth(t, r, "AT-1", "")
		w.WriteHeader(http.StatusNoContent)
	})
	rec.Expiry = time.Now()
	env.OpenBrowser = func(string) error { t.Error("consent asked again"); return nil }
	rec2, err := testProvider().Obtain(t.Context(), env, rec, false)
	if err != nil {
		t.Fatalf("second Obtain: %v", err)
	}
	if x.issued.Load() != 1 || rec2.OAuth1Token != "AT-1" {
		t.Errorf("access token not reused")
	}
}

// TestObtain3LOOutOfBand: without a browser (none, or one that cannot
// be opened) the verifier shown by the consent page is pasted on the
// terminal, with an "oob" request token.
func TestObtain3LOOutOfBand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		browser func(string) error
	}{
		{"no browser", nil},
		{"browser fails", func(string) error { return errors.New("no graphical session") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeDC(t, "/bitbucket")
			x := &fake3LO{}
			x.install(t, f)
			var n atomic.Int32
			f.handle("GET /rest/api/latest/application-properties", appProps(t, "AT-1", "alice"))
			f.handle("PUT /rest/access-tokens/1.0/users/alice", createTokenHandler(t, "AT-1", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
			env := f.env(settings3LO(t))
			env.Interactive = true
			env.OpenBrowser = tt.browser
			tty := &fakeTTY{in: strings.NewReader("V123\n")}
			env.TTY = tty
			if _, err := testProvider().Obtain(t.Context(), env, nil, false); err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			if cb := x.callbacks.Load().(string); cb != "oob" {
				t.Errorf("last oauth_callback = %q, want oob", cb)
			}
			if out := tty.out.String(); !strings.Contains(out, f.base()+"/plugins/servlet/oauth/authorize?oauth_token=RT") {
				t.Errorf("terminal did not get the authorize URL: %q", out)
			}
		})
	}
}

type fakeTTY struct {
	in  io.Reader
	out strings.Builder
}

func (f *fakeTTY) Read(p []byte) (int, error)  { return f.in.Read(p) }
func (f *fakeTTY) Write(p []byte) (int, error) { return f.out.Write(p) }

func TestObtain3LONeedsInteraction(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	env := f.env(settings3LO(t))
	env.Interactive = false
	_, err := testProvider().Obtain(t.Context(), env, nil, false)
	if !errors.Is(err, auth.ErrInteractionRequired) {
		t.Fatalf("Obtain error = %v, want ErrInteractionRequired", err)
	}
	if len(f.Calls()) != 0 {
		t.Errorf("requests made without interaction: %v", f.Calls())
	}
}

// TestObtain3LORevokedToken: a stored access token the server rejects is
// dropped; interactive → new consent, else ErrInteractionRequired.
func TestObtain3LORevokedToken(t *testing.T) {
	t.Parallel()
	for _, interactive := range []bool{true, false} {
		for _, problem := range []string{"token_rejected", "token_expired", "token_revoked"} {
			t.Run(fmt.Sprintf("%s/interactive=%v", problem, interactive), func(t *testing.T) {
				t.Parallel()
				f := newFakeDC(t, "/bitbucket")
				x := &fake3LO{}
				x.install(t, f)
				var n atomic.Int32
				f.handle("GET /rest/api/latest/application-properties", func(w http.ResponseWriter, r *http.Request) {
					p := verifyOAuth(t, r, &testKey().PublicKey)
					if p["oauth_token"] == "DEAD" {
						w.Header().Set("WWW-Authenticate", `OAuth realm="x", oauth_problem="`+problem+`"`)
						w.WriteHeader(http.StatusUnauthorized)
						return
					}
					appProps(t, "AT-1", "alice")(w, r)
				})
				f.handle("PUT /rest/access-tokens/1.0/users/alice", createTokenHandler(t, "AT-1", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
				env := f.env(settings3LO(t))
				env.Interactive = interactive
				env.OpenBrowser = consentBrowser(t, f.srv.Client())
				prev := &tokenstore.Record{Grant: grant.OAuth1, OAuth1Token: "DEAD", OAuth1TokenSecret: "S",
					OAuth1Expiry: time.Now().Add(time.Hour), GitUsername: "alice"}
				rec, err := testProvider().Obtain(t.Context(), env, prev, false)
				if !interactive {
					if !errors.Is(err, auth.ErrInteractionRequired) {
						t.Fatalf("Obtain error = %v, want ErrInteractionRequired", err)
					}
					if !strings.Contains(err.Error(), problem) || !strings.Contains(err.Error(), "login") {
						t.Errorf("message %q should name the problem and `login`", err)
					}
					if rec == nil || rec.OAuth1Token != "" || rec.OAuth1TokenSecret != "" {
						t.Errorf("the dead access token should be dropped from the returned record")
					}
					return
				}
				if err != nil {
					t.Fatalf("Obtain: %v", err)
				}
				if rec.OAuth1Token != "AT-1" || x.issued.Load() != 1 {
					t.Errorf("no new consent: token %q", rec.OAuth1Token)
				}
			})
		}
	}
}

func TestConsentTimesOut(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	(&fake3LO{}).install(t, f)
	env := f.env(settings3LO(t))
	env.Interactive = true
	env.OpenBrowser = func(string) error { return nil } // user never comes back
	p := testProvider()
	p.ConsentTimeout = 200 * time.Millisecond
	start := time.Now()
	_, err := p.Obtain(t.Context(), env, nil, false)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Obtain error = %v, want a deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestConsentDenied(t *testing.T) {
	t.Parallel()
	f := newFakeDC(t, "/bitbucket")
	x := &fake3LO{}
	x.install(t, f)
	f.handle("GET /plugins/servlet/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, x.callbacks.Load().(string)+"?oauth_token=RT&oauth_verifier=denied", http.StatusFound)
	})
	env := f.env(settings3LO(t))
	env.Interactive = true
	env.OpenBrowser = consentBrowser(t, f.srv.Client())
	_, err := testProvider().Obtain(t.Context(), env, nil, false)
	if err == nil || !strings.Contains(err.Error(), "denied") {
		t.Fatalf("Obtain error = %v, want denied", err)
	}
}
