package cloud

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestHostilePaste: what a person may paste (or be tricked into pasting)
// at the "paste the redirect URL or code" prompt. The state is the gate:
// the address's host, port and scheme are not checked, a URL is only good
// with our state, a bare code only when made of unreserved characters.
func TestHostilePaste(t *testing.T) {
	t.Parallel()
	const state = "S-good"
	huge := strings.Repeat("a", 1<<20)
	tests := []struct {
		name     string
		line     string
		wantCode string
		wantErr  string
	}{
		{"redirect", "http://127.0.0.1:41234/?code=c0de&state=S-good", "c0de", ""},
		{"state missing", "http://127.0.0.1:41234/?code=c0de", "", "state mismatch"},
		{"state mismatched", "http://127.0.0.1:41234/?code=c0de&state=evil", "", "state mismatch"},
		{"state empty", "http://127.0.0.1:41234/?code=c0de&state=", "", "state mismatch"},
		{"state case changed", "http://127.0.0.1:41234/?code=c0de&state=s-GOOD", "", "state mismatch"},
		{"state duplicated, evil first", "http://127.0.0.1:41234/?code=c0de&state=evil&state=S-good", "", "state mismatch"},
		// The first value counts; forging it needs our state.
		{"state duplicated, ours first", "http://127.0.0.1:41234/?code=c0de&state=S-good&state=evil", "c0de", ""},
		{"state in the fragment only", "http://127.0.0.1:41234/?code=c0de#state=S-good", "", "state mismatch"},
		{"error=access_denied", "http://127.0.0.1:41234/?error=access_denied&error_description=The+user+denied+access.&state=S-good", "", "refused: access_denied: The user denied access."},
		{"error without our state", "http://127.0.0.1:41234/?error=access_denied", "", "state mismatch"},
		{"error and code", "http://127.0.0.1:41234/?error=server_error&code=c0de&state=S-good", "", "refused: server_error"},
		{"no code", "http://127.0.0.1:41234/?state=S-good", "", "no code"},
		// The line ends at LF: what follows is never read.
		{"raw CR LF in the URL", "http://127.0.0.1:41234/?code=c0\r\nX-Injected: 1&state=S-good", "", "state mismatch"},
		{"raw CR in the URL", "http://127.0.0.1:41234/?code=c0\rde&state=S-good", "", "not a URL or a code"},
		{"raw NUL in the URL", "http://127.0.0.1:41234/?code=c0\x00de&state=S-good", "", "not a URL or a code"},
		{"raw NUL in a bare code", "c0\x00de", "", "not a URL or a code"},
		{"CR in a bare code", "c0\rde", "", "not a URL or a code"},
		// Decoded control characters are passed on as they are: the code
		// only ever travels form-encoded to the token endpoint.
		{"encoded CR LF with our state", "http://127.0.0.1:41234/?code=c0%0D%0Ade&state=S-good", "c0\r\nde", ""},
		{"other host, evil state", "http://evil.example:41234/?code=c0de&state=evil", "", "state mismatch"},
		{"other port, no state", "http://127.0.0.1:1/?code=c0de", "", "state mismatch"},
		{"other host with our state", "https://evil.example/x?code=c0de&state=S-good", "c0de", ""},
		{"javascript URL", "javascript:alert(document.cookie)", "", "not a URL or a code"},
		{"javascript URL with query", "javascript:alert(1)//?code=c0de&state=evil", "", "state mismatch"},
		{"data URL", "data:text/html,<script>alert(1)</script>", "", "not a URL or a code"},
		{"data URL with query", "data:text/html,x?code=c0de", "", "state mismatch"},
		{"percent-encoded bare code", "c0%64e", "", "not a URL or a code"},
		{"spaces inside", "c0 de", "", "not a URL or a code"},
		{"empty", "", "", "nothing was pasted"},
		{"1 MB URL with evil state", "http://127.0.0.1:41234/?code=c0de&state=evil&pad=" + huge, "", "state mismatch"},
		{"1 MB URL with our state after the padding", "http://127.0.0.1:41234/?pad=" + huge + "&code=c0de&state=S-good", "c0de", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			results := make(chan codeResult, 1)
			readPaste(strings.NewReader(tt.line+"\r\n"), state, results)
			res := <-results
			if res.code != tt.wantCode {
				t.Errorf("code = %q, want %q", res.code, tt.wantCode)
			}
			switch {
			case tt.wantErr == "" && res.err != nil:
				t.Errorf("error %v, want none", res.err)
			case tt.wantErr != "" && (res.err == nil || !strings.Contains(res.err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", res.err, tt.wantErr)
			}
		})
	}
}

// TestHostileCallbackRequests: requests to the loopback listener that are
// not our browser coming back are refused and do not end the wait.
func TestHostileCallbackRequests(t *testing.T) {
	t.Parallel()
	const state = "S-good"
	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
	}{
		{"wrong path", "GET", "/favicon.ico?code=evil&state=S-good", http.StatusNotFound},
		{"path prefix", "GET", "/cb/x?code=evil&state=S-good", http.StatusNotFound},
		{"path with trailing slash", "GET", "/cb/?code=evil&state=S-good", http.StatusNotFound},
		{"encoded path", "GET", "/%63b?code=evil&state=S-good", http.StatusOK}, // decodes to /cb: the same resource
		{"POST with evil state", "POST", "/cb?code=evil&state=evil", http.StatusBadRequest},
		{"PUT without state", "PUT", "/cb?code=evil", http.StatusBadRequest},
		{"state duplicated, evil first", "GET", "/cb?code=evil&state=evil&state=S-good", http.StatusBadRequest},
		{"state in the body only", "POST", "/cb?code=evil", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			results := make(chan codeResult, 1)
			h := callbackHandler("/cb", state, results)
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader("state=S-good&code=evil"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			select {
			case res := <-results:
				if tt.wantStatus != http.StatusOK {
					t.Errorf("a hostile request ended the wait: %+v", res)
				}
			default:
				if tt.wantStatus == http.StatusOK {
					t.Errorf("the request did not end the wait")
				}
			}
		})
	}

	t.Run("error page escapes the error", func(t *testing.T) {
		t.Parallel()
		results := make(chan codeResult, 1)
		h := callbackHandler("/cb", state, results)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/cb?state=S-good&error=%3Cscript%3Ealert(1)%3C/script%3E&error_description=%22%3E%3Cimg", nil))
		if body := rec.Body.String(); strings.Contains(body, "<script>") || strings.Contains(body, "<img") {
			t.Errorf("page reflects markup: %q", body)
		}
		if res := <-results; res.err == nil {
			t.Errorf("error redirect gave code %q", res.code)
		}
	})
}

// TestHostileBrowserDuringAuthorize runs the whole authorization with a
// browser that, around the real redirect, sends forged callbacks: other
// paths, other methods, other states, and a second callback after the
// first. Only the real code is ever exchanged.
func TestHostileBrowserDuringAuthorize(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	c := &consent{}
	f.authorize, f.token = c.handler(t), c.exchange(t)
	env := f.env(GrantAuthorizationCode, nil)
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
