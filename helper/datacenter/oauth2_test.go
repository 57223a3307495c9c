package datacenter

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// fakeOAuth2 is DC's OAuth 2 provider: exact redirect match, PKCE S256,
// client authentication in the parameters, rotating refresh tokens.
type fakeOAuth2 struct {
	t        *testing.T
	redirect string
	mu       sync.Mutex
	chal     string
	n        int
	liveRT   string
	access   map[string]bool
}

func (x *fakeOAuth2) install(f *fakeDC) {
	t := x.t
	x.access = map[string]bool{}
	f.handle("GET /rest/oauth2/latest/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		want := map[string]string{"client_id": "dc-client", "response_type": "code", "redirect_uri": x.redirect,
			"code_challenge_method": "S256", "scope": "REPO_READ REPO_WRITE"}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
			}
		}
		if q.Get("state") == "" || q.Get("code_challenge") == "" {
			t.Errorf("authorize without state or code_challenge")
		}
		x.mu.Lock()
		x.chal = q.Get("code_challenge")
		x.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code=C1&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	f.handle("POST /rest/oauth2/latest/token", func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			t.Errorf("token endpoint got Authorization %q; DC takes client credentials in the parameters", h)
		}
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		if r.PostForm.Get("client_id") != "dc-client" || r.PostForm.Get("client_secret") != "dc-secret" {
			t.Errorf("client credentials not in the form")
		}
		x.mu.Lock()
		defer x.mu.Unlock()
		fail := func(code string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":%q,"error_description":"nope"}`, code)
		}
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if r.PostForm.Get("code") != "C1" || base64.RawURLEncoding.EncodeToString(sum[:]) != x.chal {
				fail("invalid_grant")
				return
			}
			if r.PostForm.Get("redirect_uri") != x.redirect {
				t.Errorf("token redirect_uri = %q", r.PostForm.Get("redirect_uri"))
			}
		case "refresh_token":
			if r.PostForm.Get("refresh_token") != x.liveRT || x.liveRT == "" {
				fail("invalid_grant")
				return
			}
		default:
			fail("unsupported_grant_type")
			return
		}
		x.n++
		x.liveRT = fmt.Sprintf("DCRT-%d", x.n) // rotation: the old one dies
		at := fmt.Sprintf("DCAT-%d", x.n)
		x.access[at] = true
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"scope":"REPO_READ REPO_WRITE","access_token":%q,"token_type":"bearer","expires_in":3600,"refresh_token":%q}`, at, x.liveRT)
	})
	f.handle("GET /rest/api/latest/application-properties", func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		x.mu.Lock()
		ok := x.access[tok]
		x.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-AUSERNAME", "alice")
		io.WriteString(w, `{"version":"8.15.0"}`)
	})
}

// oauth2Setup returns a provider, the fake and an env whose redirect URL
// has a fixed port (DC matches redirects exactly).
func oauth2Setup(t *testing.T) (*Provider, *fakeOAuth2, *fakeDC, *auth.Env) {
	t.Helper()
	f := newFakeDC(t, "/bitbucket")
	p := testProvider()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/cb"
	ln.Close() // free again: the provider listens on it
	x := &fakeOAuth2{t: t, redirect: redirect}
	x.install(f)
	secretFile := writeKeyFile(t, []byte("dc-secret\n"), 0o600)
	env := f.env(&gitconfig.Settings{Kind: "datacenter", Grant: grant.OAuth2, ClientID: "dc-client",
		ClientSecretFile: secretFile, RedirectURL: redirect})
	env.Interactive = true
	env.OpenBrowser = consentBrowser(t, f.srv.Client())
	return p, x, f, env
}

func TestOAuth2AuthorizePKCE(t *testing.T) {
	t.Parallel()
	p, _, _, env := oauth2Setup(t)
	rec, err := p.Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	got := tokenstore.Record{Kind: rec.Kind, Grant: rec.Grant, GitUsername: rec.GitUsername, AccessToken: rec.AccessToken,
		RefreshToken: rec.RefreshToken, TokenType: rec.TokenType, Scopes: rec.Scopes, Account: rec.Account}
	want := tokenstore.Record{Kind: "datacenter", Grant: grant.OAuth2, GitUsername: "alice", AccessToken: "DCAT-1",
		RefreshToken: "DCRT-1", TokenType: "bearer", Scopes: "REPO_READ REPO_WRITE", Account: "alice"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if d := time.Until(rec.Expiry); d < 59*time.Minute || d > time.Hour {
		t.Errorf("expiry in %v, want 1h", d)
	}
}

func TestOAuth2RefreshRotates(t *testing.T) {
	t.Parallel()
	p, x, f, env := oauth2Setup(t)
	env.Interactive = false
	x.liveRT, x.n = "DCRT-7", 7
	prev := &tokenstore.Record{Grant: grant.OAuth2, AccessToken: "OLD", RefreshToken: "DCRT-7", GitUsername: "alice",
		Expiry: time.Now().Add(time.Minute)}
	rec, err := p.Obtain(t.Context(), env, prev, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	if rec.AccessToken != "DCAT-8" || rec.RefreshToken != "DCRT-8" {
		t.Errorf("after refresh: access %q refresh %q, want DCAT-8/DCRT-8 (rotated)", rec.AccessToken, rec.RefreshToken)
	}
	if prev.RefreshToken != "DCRT-7" {
		t.Errorf("prev modified")
	}
	// Fresh now: no request at all.
	n := len(f.Calls())
	again, err := p.Obtain(t.Context(), env, rec, false)
	if err != nil || again != rec || len(f.Calls()) != n {
		t.Errorf("fresh token not reused: %v, %d new calls", err, len(f.Calls())-n)
	}
}

func TestOAuth2DeadRefreshToken(t *testing.T) {
	t.Parallel()
	for _, interactive := range []bool{false, true} {
		t.Run(fmt.Sprintf("interactive=%v", interactive), func(t *testing.T) {
			t.Parallel()
			p, x, _, env := oauth2Setup(t)
			env.Interactive = interactive
			x.liveRT, x.n = "DCRT-2", 2 // DCRT-1 was rotated away
			prev := &tokenstore.Record{Grant: grant.OAuth2, AccessToken: "OLD", RefreshToken: "DCRT-1", Expiry: time.Now().Add(-time.Hour)}
			rec, err := p.Obtain(t.Context(), env, prev, false)
			if !interactive {
				if !errors.Is(err, auth.ErrInteractionRequired) {
					t.Fatalf("Obtain error = %v, want ErrInteractionRequired", err)
				}
				if rec == nil || rec.RefreshToken != "" || rec.AccessToken != "" {
					t.Errorf("the dead refresh token should be dropped from the returned record")
				}
				if strings.Contains(err.Error(), "DCRT") {
					t.Errorf("error leaks a token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Obtain: %v", err)
			}
			if rec.AccessToken != "DCAT-3" || rec.RefreshToken != "DCRT-3" {
				t.Errorf("not re-authorized: %q/%q", rec.AccessToken, rec.RefreshToken)
			}
		})
	}
}

func TestOAuth2NeedsInteraction(t *testing.T) {
	t.Parallel()
	p, _, f, env := oauth2Setup(t)
	env.Interactive = false
	if _, err := p.Obtain(t.Context(), env, nil, false); !errors.Is(err, auth.ErrInteractionRequired) {
		t.Fatalf("Obtain error = %v, want ErrInteractionRequired", err)
	}
	if len(f.Calls()) != 0 {
		t.Errorf("calls without interaction: %v", f.Calls())
	}
}

// pasteTTY answers the printed authorize URL by "pasting" the redirect a
// browser elsewhere would have been sent to.
type pasteTTY struct {
	t  *testing.T
	c  *http.Client
	pr *io.PipeReader
	pw *io.PipeWriter
	mu sync.Mutex
	sb strings.Builder
}

func (p *pasteTTY) Read(b []byte) (int, error) { return p.pr.Read(b) }
func (p *pasteTTY) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sb.Write(b)
	if m := regexp.MustCompile(`(http://\S+/rest/oauth2/latest/authorize\?\S+)`).FindStringSubmatch(p.sb.String()); m != nil && strings.Contains(p.sb.String(), "paste") {
		p.sb.Reset()
		go func() {
			c := *p.c
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := c.Get(m[1])
			if err != nil {
				p.t.Errorf("paste browser: %v", err)
				return
			}
			resp.Body.Close()
			fmt.Fprintf(p.pw, "%s\n", resp.Header.Get("Location"))
		}()
	}
	return len(b), nil
}

func TestOAuth2PasteWhenNoBrowser(t *testing.T) {
	t.Parallel()
	p, _, f, env := oauth2Setup(t)
	env.OpenBrowser = func(string) error { return errors.New("no graphical session") }
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	env.TTY = &pasteTTY{t: t, c: f.srv.Client(), pr: pr, pw: pw}
	rec, err := p.Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatalf("Obtain: %v", err)
	}
	if rec.AccessToken != "DCAT-1" {
		t.Errorf("access token %q", rec.AccessToken)
	}
}
