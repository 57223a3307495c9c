package conformance

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// RFC 5849 §3.4.1.1's example request and its signature base string.
func TestBaseStringRFC5849Example(t *testing.T) {
	t.Parallel()
	u, err := url.Parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
	if err != nil {
		t.Fatal(err)
	}
	params := [][2]string{}
	for k, vs := range u.Query() {
		for _, v := range vs {
			params = append(params, [2]string{k, v})
		}
	}
	params = append(params,
		[2]string{"c2", ""}, [2]string{"a3", "2 q"},
		[2]string{"oauth_consumer_key", "9djdj82h48djs9d2"}, [2]string{"oauth_token", "kkk9d7dh3k39sjv7"},
		[2]string{"oauth_signature_method", "HMAC-SHA1"}, [2]string{"oauth_timestamp", "137131201"},
		[2]string{"oauth_nonce", "7d8f3e4a"})
	want := "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" +
		"%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" +
		"key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m" +
		"ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk" +
		"9d7dh3k39sjv7"
	if got := baseString("POST", u, params); got != want {
		t.Errorf("base string:\n got %s\nwant %s", got, want)
	}
}

func TestBaseStringDropsDefaultPort(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"http://Example.COM:80/r", "GET&http%3A%2F%2Fexample.com%2Fr&"},
		{"https://example.com:443/r", "GET&https%3A%2F%2Fexample.com%2Fr&"},
		{"http://example.com:8080/ctx/r", "GET&http%3A%2F%2Fexample.com%3A8080%2Fctx%2Fr&"},
	} {
		u, _ := url.Parse(tt.in)
		if got := baseString("GET", u, nil); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestRealFromEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantNil bool
		wantErr string
		check   func(t *testing.T, c *RealConfig)
	}{
		{name: "nothing set", env: map[string]string{}, wantNil: true},
		{name: "required but nothing set", env: map[string]string{envRequireReal: "1"}, wantErr: envRequireReal},
		{name: "cloud client without secret", env: map[string]string{envCloudClientID: "id"}, wantErr: envCloudSecret},
		{name: "cloud defaults to bitbucket.org", env: map[string]string{envCloudClientID: "id", envCloudSecretFile: secret},
			check: func(t *testing.T, c *RealConfig) {
				got := []string{c.Cloud.URL, c.Cloud.APIURL, c.Cloud.Private.Secret}
				if diff := cmp.Diff([]string{"https://bitbucket.org", "https://api.bitbucket.org", "s3cret"}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if c.Server != nil {
					t.Errorf("server configured from nothing")
				}
			}},
		{name: "cloud elsewhere uses the same origin for REST",
			env: map[string]string{envCloudURL: "http://127.0.0.1:9/", envCloudClientID: "id", envCloudSecret: "x", envCloudRepo: "ws/repo"},
			check: func(t *testing.T, c *RealConfig) {
				if c.Cloud.APIURL != "http://127.0.0.1:9" || c.Cloud.Repo.Path() != "ws/repo" {
					t.Errorf("api %q repo %q", c.Cloud.APIURL, c.Cloud.Repo.Path())
				}
			}},
		{name: "bad repo", env: map[string]string{envCloudClientID: "id", envCloudSecret: "x", envCloudRepo: "norepo"}, wantErr: envCloudRepo},
		{name: "server consumer without key file", env: map[string]string{envServerURL: "https://dc.example/bitbucket", envServerConsumerKey: "k"},
			wantErr: envServerKeyFile},
		{name: "server context path", env: map[string]string{envServerURL: "https://dc.example/bitbucket/", envServerUser: "alice"},
			check: func(t *testing.T, c *RealConfig) {
				if c.Server.URL != "https://dc.example/bitbucket" || c.Server.ContextPath != "/bitbucket" || c.Server.User.Slug != "alice" {
					t.Errorf("server %+v", c.Server)
				}
			}},
		{name: "server URL not absolute", env: map[string]string{envServerURL: "dc.example"}, wantErr: envServerURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := RealFromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			case tt.wantNil:
				if cfg != nil {
					t.Fatalf("config from nothing: %+v", cfg)
				}
				return
			}
			tt.check(t, cfg)
		})
	}
}

func TestTokenFileRotates(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "rt")
	if err := os.WriteFile(p, []byte("one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &TokenFile{Path: p}
	var seen []string
	for _, next := range []string{"two", "", "three"} {
		if err := f.Use(func(tok string) (string, error) { seen = append(seen, tok); return next, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"one", "two", "two"}, seen); diff != "" {
		t.Errorf("tokens seen (-want +got):\n%s", diff)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, %v; want 0600", st.Mode(), err)
	}
}

func TestCompleteFixturesFillsEveryRole(t *testing.T) {
	t.Parallel()
	var f = emptyFixtures()
	if err := completeFixtures(f); err != nil {
		t.Fatal(err)
	}
	c := cloudFromFixtures("http://cloud", f.Cloud)
	for name, k := range map[string]*Consumer{"private": c.Private, "escaped": c.Escaped, "public": c.Public,
		"rotating": c.Rotating, "long": c.Long, "no-callback": c.NoCallback, "read-only": c.ReadOnly, "no-account": c.NoAccount} {
		if k == nil {
			t.Errorf("no %s consumer after completion", name)
		}
	}
	if c.Escaped != nil && url.QueryEscape(c.Escaped.Secret) == c.Escaped.Secret {
		t.Errorf("escaped consumer's secret needs no escaping")
	}
	s, err := serverFromFixtures("http://server/bitbucket", "/bitbucket", f.Server)
	if err != nil {
		t.Fatal(err)
	}
	if s.Link == nil || s.ThreeLOOnly == nil || s.OAuth2 == nil || s.User == nil || s.Repo == nil || s.Impersonate == "" {
		t.Errorf("server roles missing after completion: %+v", s)
	}
	before := len(f.Cloud.Consumers)
	if err := completeFixtures(f); err != nil || len(f.Cloud.Consumers) != before {
		t.Errorf("a second completion added consumers (%d -> %d, %v)", before, len(f.Cloud.Consumers), err)
	}
}

func emptyFixtures() *mockserver.Fixtures { return &mockserver.Fixtures{} }

func TestRedactBody(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"access_token":"abc","error":"x"}`, `{"access_token":"REDACTED","error":"x"}`},
		{`oauth_token=t1&oauth_token_secret=s1&oauth_callback_confirmed=true`, `oauth_token=REDACTED&oauth_token_secret=REDACTED&oauth_callback_confirmed=true`},
		{`<a href="http://127.0.0.1/cb?code=c0de&amp;state=s">Found</a>`, `<a href="http://127.0.0.1/cb?code=REDACTED&amp;state=s">Found</a>`},
		{`#access_token=zz&token_type=bearer`, `#access_token=REDACTED&token_type=bearer`},
	}
	for _, tt := range tests {
		if got := redactBody([]byte(tt.in)); got != tt.want {
			t.Errorf("redactBody(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCaseNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	cs := allCases(options{helper: "git-credential-bitbucket"})
	for _, c := range cs {
		id := c.area + "/" + c.name
		if seen[id] {
			t.Errorf("duplicate case %s", id)
		}
		seen[id] = true
		if !kebab.MatchString(c.area) || !kebab.MatchString(c.name) {
			t.Errorf("case %s is not lower-case kebab", id)
		}
	}
	if len(cs) < 80 {
		t.Errorf("%d cases, the suite promises at least 80", len(cs))
	}
}
