package mockserver

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/oauth1sp"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// A context path other than /bitbucket, the root, a fixed non-default port,
// and HTTPS: signatures, realms and links follow the request.
func TestServerContextPathsPortsAndTLS(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	tests := []struct {
		name, ctx, addr string
		tls             bool
	}{
		{"custom context path and port", "/stash/dc", "127.0.0.1:" + strconv.Itoa(port), false},
		{"root context", "/", "", false},
		{"https", "/bitbucket", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := DefaultFixtures()
			opts := Options{Fixtures: f, ContextPath: tt.ctx, ReposDir: t.TempDir(), AutoApprove: true}
			if tt.tls {
				opts.TLSDir = t.TempDir()
			}
			run, err := Start(opts, "", tt.addr)
			if err != nil {
				if tt.addr != "" && strings.Contains(err.Error(), "address already in use") {
					t.Skip("port taken meanwhile")
				}
				t.Fatal(err)
			}
			t.Cleanup(func() { run.Close() })
			base := run.ServerURL
			wantCtx := strings.TrimSuffix(tt.ctx, "/")
			if !strings.HasSuffix(base, wantCtx) || (tt.addr != "" && !strings.Contains(base, tt.addr)) {
				t.Fatalf("ServerURL = %s", base)
			}
			client := run.HTTPClient()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			cfg := testsupport.O1Config(t, base, TestLinkConsumerKey, testLinkPrivateKeyPEM, "http://127.0.0.1:9/cb")
			cfg.HTTPClient = client
			// 2-legged signed GET
			req := o1Req{Token: strp("")}.Build(t, "GET", base+"/rest/api/1.0/users/alice")
			status, h, body := testsupport.Do(t, client, req)
			if status != 200 || h.Get("X-AUSERNAME") != "svc-ci" {
				t.Fatalf("2LO: %d %s", status, body)
			}
			// A problem's realm is the base URL.
			req = o1Req{Token: strp(""), TS: time.Now().Add(-time.Hour)}.Build(t, "GET", base+"/rest/api/1.0/users/alice")
			_, h, _ = testsupport.Do(t, client, req)
			if want := `OAuth realm="` + oauth1sp.PercentEncode(base) + `"`; !strings.HasPrefix(h.Get("WWW-Authenticate"), want) {
				t.Errorf("WWW-Authenticate = %q, want prefix %q", h.Get("WWW-Authenticate"), want)
			}
			// Clone links carry the context path.
			req = testsupport.MustRequest(t, "GET", base+"/rest/api/1.0/projects/PROJ/repos/widgets")
			req.SetBasicAuth("alice", "alice-test-password")
			_, _, body = testsupport.Do(t, client, req)
			if !strings.Contains(body, `"href":"`+base+`/scm/proj/widgets.git"`) {
				t.Errorf("repository links: %s", body)
			}
			// The 3-legged dance through dghubble works too.
			at, _ := testsupport.Dance3LOWith(t, cfg, client)
			if status, _, body := testsupport.Do(t, client, o1Req{Token: &at}.Build(t, "GET", base+"/rest/api/1.0/users/bob")); status != 200 {
				t.Errorf("3LO: %d %s", status, body)
			}
		})
	}
}
