package datacenter

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
)

// hostileSetup is oauth2Setup with the codes the token endpoint was asked
// to exchange recorded.
func hostileSetup(t *testing.T) (*Provider, *auth.Env, func() []string, *http.Client) {
	t.Helper()
	p, _, f, env := oauth2Setup(t)
	f.mu.Lock()
	orig := f.routes["POST /rest/oauth2/latest/token"]
	f.mu.Unlock()
	var mu sync.Mutex
	var codes []string
	f.handle("POST /rest/oauth2/latest/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("token form: %v", err)
		}
		if r.PostForm.Get("grant_type") == "authorization_code" {
			mu.Lock()
			codes = append(codes, r.PostForm.Get("code"))
			mu.Unlock()
		}
		orig(w, r)
	})
	exchanged := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), codes...)
	}
	noFollow := *f.srv.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return p, env, exchanged, &noFollow
}

// hostileTTY answers the paste prompt with line(callback URL, state).
type hostileTTY struct {
	line func(cb, state string) string
	c    *http.Client // visits the authorize URL first, as the person would
	pr   *io.PipeReader
	pw   *io.PipeWriter
	mu   sync.Mutex
	sb   strings.Builder
	done bool
}

var authorizeURLRE = regexp.MustCompile(`(http://\S+/rest/oauth2/latest/authorize\?\S+)`)

func (h *hostileTTY) Read(b []byte) (int, error) { return h.pr.Read(b) }
func (h *hostileTTY) Write(b []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sb.Write(b)
	m := authorizeURLRE.FindStringSubmatch(h.sb.String())
	if h.done || m == nil || !strings.Contains(h.sb.String(), "paste") {
		return len(b), nil
	}
	h.done = true
	u, err := url.Parse(m[1])
	if err != nil {
		return 0, err
	}
	line := h.line(u.Query().Get("redirect_uri"), u.Query().Get("state"))
	go func() {
		if resp, err := h.c.Get(m[1]); err == nil {
			resp.Body.Close()
		}
		fmt.Fprintf(h.pw, "%s\n", line) // blocks until read: a 1 MB line is never read whole
	}()
	return len(b), nil
}

// TestHostilePastedRedirect: DC OAuth 2 without a browser, with what a
// person may paste (or be tricked into pasting). The state is the gate: a
// code picked out of a pasted URL is only exchanged with our state.
func TestHostilePastedRedirect(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("a", 1<<20)
	tests := []struct {
		name string
		line func(cb, state string) string
		// ok: the flow succeeds with C1; else it fails and C1 is never
		// exchanged. noExchange: it fails before any exchange.
		ok, noExchange bool
		wantErr        string
	}{
		{"real redirect", func(cb, s string) string { return cb + "?code=C1&state=" + s }, true, false, ""},
		{"bare code", func(cb, s string) string { return "C1" }, true, false, ""},
		{"state missing", func(cb, s string) string { return cb + "?code=C1" }, false, true, "state mismatch"},
		{"state mismatched", func(cb, s string) string { return cb + "?code=C1&state=evil" }, false, true, "state mismatch"},
		{"state empty", func(cb, s string) string { return cb + "?code=C1&state=" }, false, true, "state mismatch"},
		{"state in the fragment", func(cb, s string) string { return cb + "?code=C1#state=" + s }, false, true, "state mismatch"},
		{"state duplicated, evil first", func(cb, s string) string { return cb + "?code=C1&state=evil&state=" + s }, false, true, "state mismatch"},
		// The first value counts; forging it needs our state.
		{"state duplicated, ours first", func(cb, s string) string { return cb + "?code=C1&state=" + s + "&state=evil" }, true, false, ""},
		{"error=access_denied", func(cb, s string) string { return cb + "?error=access_denied&state=" + s }, false, true, "access was not granted (access_denied)"},
		// The state is checked before the error is looked at.
		{"error, no state", func(cb, s string) string { return cb + "?error=access_denied&error_description=%0D%0Ax" }, false, true, "state mismatch"},
		{"no code", func(cb, s string) string { return cb + "?state=" + s }, false, true, "no authorization code"},
		{"encoded CR LF in the code", func(cb, s string) string { return cb + "?code=C1%0D%0A&state=" + s }, false, false, "exchange the authorization code"},
		{"encoded NUL in the code", func(cb, s string) string { return cb + "?code=C1%00&state=" + s }, false, false, "exchange the authorization code"},
		{"raw NUL in a URL with evil state", func(cb, s string) string { return cb + "?code=C1&state=evil\x00" }, false, true, "not a URL or an authorization code"},
		{"raw CR in a URL with our state", func(cb, s string) string { return cb + "?code=C1\rx&state=" + s }, false, true, "not a URL or an authorization code"},
		{"other host, evil state", func(cb, s string) string { return "http://evil.example:1/cb?code=C1&state=evil" }, false, true, "state mismatch"},
		// Host, port and scheme are not checked: the state is the gate.
		{"other host with our state", func(cb, s string) string { return "https://evil.example/cb?code=C1&state=" + s }, true, false, ""},
		// A line that is no URL with a query is a bare code only when it
		// matches ^[A-Za-z0-9._~-]{1,512}$: nothing else is exchanged.
		{"javascript URL", func(cb, s string) string { return "javascript:alert(document.cookie)" }, false, true, "not a URL or an authorization code"},
		{"control characters", func(cb, s string) string { return "\x1b[2JC1\x07" }, false, true, "not a URL or an authorization code"},
		{"NUL in a bare code", func(cb, s string) string { return "C\x001" }, false, true, "not a URL or an authorization code"},
		{"8 KB blob", func(cb, s string) string { return strings.Repeat("b", 8000) }, false, true, "not a URL or an authorization code"},
		{"javascript URL with evil state", func(cb, s string) string { return "javascript:x()//?code=C1&state=evil" }, false, true, "state mismatch"},
		{"data URL with evil state", func(cb, s string) string { return "data:text/html,x?code=C1&state=evil" }, false, true, "state mismatch"},
		{"empty line: the wait goes on", func(cb, s string) string { return "" }, false, true, "gave up waiting"},
		{"1 MB line, evil state", func(cb, s string) string { return cb + "?code=C1&state=evil&pad=" + huge }, false, true, "longer than 8 KiB"},
		{"1 MB line, our state after the padding", func(cb, s string) string { return cb + "?pad=" + huge + "&code=C1&state=" + s }, false, true, "longer than 8 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, env, exchanged, noFollow := hostileSetup(t)
			env.OpenBrowser = func(string) error { return errors.New("no graphical session") }
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			env.TTY = &hostileTTY{line: tt.line, c: noFollow, pr: pr, pw: pw}
			rec, err := p.Obtain(t.Context(), env, nil, false)
			codes := exchanged()
			if tt.ok {
				if err != nil || rec.AccessToken != "DCAT-1" {
					t.Fatalf("Obtain = %v, want DCAT-1", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Obtain succeeded (exchanged %q), want a refusal", codes)
			}
			if tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
			for _, c := range codes {
				if c == "C1" {
					t.Errorf("the code of a refused paste was exchanged")
				}
			}
			if tt.noExchange && len(codes) > 0 {
				t.Errorf("exchanged %q, want no exchange", codes)
			}
		})
	}
}

// TestHostileOAuth2Callback: a browser (or a local process, or a web page
// that knows the fixed redirect port) that sends forged requests to the
// loopback listener before or after the real redirect. None of them ends
// the wait or aborts the login: the flow succeeds with the real code, and
// a forged code is never exchanged.
func TestHostileOAuth2Callback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before [][2]string // method, path?query sent before the real redirect ({S} is our state)
		after  [][2]string
	}{
		{"other paths are ignored", [][2]string{{"GET", "/favicon.ico?code=EVIL&state={S}"}, {"GET", "/cb/x?code=EVIL&state={S}"}, {"GET", "/?code=EVIL&state={S}"}}, nil},
		{"second callback after the first", nil, [][2]string{{"GET", "/cb?code=EVIL&state={S}"}, {"GET", "/cb?error=access_denied&state={S}"}}},
		{"forged state first", [][2]string{{"GET", "/cb?code=EVIL&state=evil"}}, nil},
		{"POST with our state first", [][2]string{{"POST", "/cb?code=EVIL&state={S}"}}, nil},
		{"HEAD with our state first", [][2]string{{"HEAD", "/cb?code=EVIL&state={S}"}}, nil},
		{"error without state first", [][2]string{{"GET", "/cb?error=%3Cscript%3Ealert(1)%3C/script%3E"}}, nil},
		{"error with evil state first", [][2]string{{"GET", "/cb?error=access_denied&state=evil"}}, nil},
		{"state duplicated, evil first", [][2]string{{"GET", "/cb?code=EVIL&state=evil&state={S}"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, env, exchanged, noFollow := hostileSetup(t)
			var pages []string
			var mu sync.Mutex
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
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				pages = append(pages, string(b))
				mu.Unlock()
			}
			env.OpenBrowser = func(authURL string) error {
				go func() {
					authURL := viaStart(t, noFollow, authURL)
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
					origin := real.Scheme + "://" + real.Host
					state := url.QueryEscape(real.Query().Get("state"))
					for _, r := range tt.before {
						send(r[0], origin+strings.ReplaceAll(r[1], "{S}", state))
					}
					send("GET", real.String())
					for _, r := range tt.after {
						send(r[0], origin+strings.ReplaceAll(r[1], "{S}", state))
					}
				}()
				return nil
			}
			rec, err := p.Obtain(t.Context(), env, nil, false)
			for _, c := range exchanged() {
				if c != "C1" {
					t.Errorf("exchanged a forged code %q", c)
				}
			}
			if err != nil || rec.AccessToken != "DCAT-1" {
				t.Fatalf("Obtain = %v, want DCAT-1", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, page := range pages {
				if strings.Contains(page, "<script>") {
					t.Errorf("callback page reflects markup: %q", page)
				}
			}
		})
	}
}

// TestHostileOAuth1Callback: the 3-legged consent's loopback callback
// with forged requests around the real one. Only the browser coming back
// for our request token ends the wait: forged requests neither abort the
// login nor reach the access-token leg.
func TestHostileOAuth1Callback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		before  []string // path?query sent before the real callback
		after   []string
		ok      bool
		wantErr string
	}{
		{"other paths are ignored", []string{"/favicon.ico?oauth_token=RT&oauth_verifier=EVIL", "/oauth1/callbackx?oauth_token=RT&oauth_verifier=EVIL"}, nil, true, ""},
		{"second callback after the first", nil, []string{"/oauth1/callback?oauth_token=RT&oauth_verifier=EVIL"}, true, ""},
		{"another request token first", []string{"/oauth1/callback?oauth_token=OTHER&oauth_verifier=EVIL"}, nil, true, ""},
		{"denied for another request token first", []string{"/oauth1/callback?oauth_token=OTHER&oauth_verifier=denied"}, nil, true, ""},
		{"no token first", []string{"/oauth1/callback?oauth_verifier=EVIL"}, nil, true, ""},
		{"denied", []string{"/oauth1/callback?oauth_token=RT&oauth_verifier=denied"}, nil, false, "denied"},
		{"empty verifier", []string{"/oauth1/callback?oauth_token=RT&oauth_verifier="}, nil, false, "denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeDC(t, "/bitbucket")
			x := &fake3LO{}
			x.install(t, f) // the access-token leg fails the test unless oauth_verifier is V123
			var n atomic.Int32
			f.handle("GET /rest/api/latest/application-properties", appProps(t, "AT-1", "alice"))
			f.handle("PUT /rest/access-tokens/1.0/users/alice", createTokenHandler(t, "AT-1", "", &n, []string{"REPO_READ", "REPO_WRITE"}, 1))
			env := f.env(settings3LO(t))
			env.Interactive = true
			noFollow := *f.srv.Client()
			noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			send := func(u string) {
				resp, err := noFollow.Get(u)
				if err != nil {
					return // the listener may be gone after the real callback
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
					origin := real.Scheme + "://" + real.Host
					for _, p := range tt.before {
						send(origin + p)
					}
					send(real.String())
					for _, p := range tt.after {
						send(origin + p)
					}
				}()
				return nil
			}
			rec, err := testProvider().Obtain(t.Context(), env, nil, false)
			if tt.ok {
				if err != nil || rec.OAuth1Token != "AT-1" {
					t.Fatalf("Obtain = %v, want AT-1", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Obtain succeeded, want a refusal")
			}
			if tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
			if x.issued.Load() != 0 {
				t.Errorf("an access token was issued")
			}
		})
	}
}
