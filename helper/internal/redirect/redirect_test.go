package redirect

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRefuse: every redirect status, for every method, ends the request
// at the first hop with an *Error naming the target and the setting; the
// target never sees the request (so never its body or Authorization).
func TestRefuse(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(target.Close)
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
			t.Run(http.StatusText(status)+" "+method, func(t *testing.T) {
				t.Parallel()
				src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target.URL+"/steal?code=secret-in-query", status)
				}))
				t.Cleanup(src.Close)
				req, _ := http.NewRequest(method, src.URL+"/token?oauth_signature=sig", strings.NewReader("client_secret=s3cret"))
				req.Header.Set("Authorization", "Bearer tok")
				resp, err := Refuse(src.Client(), "bitbucket.apiURL").Do(req)
				if resp != nil {
					resp.Body.Close()
				}
				var re *Error
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want a *redirect.Error", err)
				}
				msg := re.Error()
				for _, want := range []string{target.URL + "/steal", "bitbucket.apiURL", src.URL + "/token"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error %q does not name %q", msg, want)
					}
				}
				for _, secret := range []string{"secret-in-query", "oauth_signature", "s3cret"} {
					if strings.Contains(msg, secret) {
						t.Errorf("error %q carries %q", msg, secret)
					}
				}
				if re.Status != status {
					t.Errorf("status = %d, want %d", re.Status, status)
				}
			})
		}
	}
	t.Cleanup(func() {
		if n := reached.Load(); n != 0 {
			t.Errorf("the redirect target was reached %d times", n)
		}
	})
}

// TestRefuseKeepsTheClient: the copy keeps the transport, and the
// original client is left as it was.
func TestRefuseKeepsTheClient(t *testing.T) {
	t.Parallel()
	orig := &http.Client{Transport: http.DefaultTransport}
	got := Refuse(orig, "x")
	if got.Transport.(*transport).base != orig.Transport || orig.CheckRedirect != nil || orig.Transport != http.DefaultTransport || got == orig {
		t.Errorf("Refuse changed or dropped the client: %+v", got)
	}
	if Refuse(nil, "x").CheckRedirect == nil {
		t.Error("Refuse(nil) follows redirects")
	}
}
