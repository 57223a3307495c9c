package oauth1sp

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testkeys"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// testLinkConsumerKey is the consumer key the test keys belong to in the
// mock's fixtures (any key serves here).
const testLinkConsumerKey = "bbcred-test-link"

// kv is one parameter, unencoded.
type kv = testsupport.KV

// RFC 5849 §3.4.1.1's example request and its signature base string.
func TestSignatureBaseStringRFCExample(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
	r.Host = "example.com"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", `OAuth realm="Example",
		oauth_consumer_key="9djdj82h48djs9d2",
		oauth_token="kkk9d7dh3k39sjv7",
		oauth_signature_method="HMAC-SHA1",
		oauth_timestamp="137131201",
		oauth_nonce="7d8f3e4a",
		oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
	msg, p := Parse(r)
	if p != nil {
		t.Fatalf("parse: %v", p)
	}
	want := "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" +
		"%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" +
		"key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m" +
		"ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk" +
		"9d7dh3k39sjv7"
	if diff := cmp.Diff(want, msg.BaseString()); diff != "" {
		t.Errorf("base string (-want +got):\n%s", diff)
	}
	if msg.signature != "bYT5CMsGcbgUdFHObYMEfcx6bsw=" || !msg.hasSig {
		t.Errorf("signature = %q, %v", msg.signature, msg.hasSig)
	}
	// The body is still there for the handler.
	if b, _ := io.ReadAll(r.Body); string(b) != "c2&a3=2+q" {
		t.Errorf("body after parse = %q", b)
	}
}

func TestPercentEncode(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                     "",
		"abcXYZ019-._~":        "abcXYZ019-._~",
		"a b":                  "a%20b",
		"a+b":                  "a%2Bb",
		"=&%/:?*!'()":          "%3D%26%25%2F%3A%3F%2A%21%27%28%29",
		"\u00e9":               "%C3%A9",
		"http://h:1/bitbucket": "http%3A%2F%2Fh%3A1%2Fbitbucket",
	}
	for in, want := range tests {
		if got := PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	t.Parallel()
	tests := []struct{ scheme, host, want string }{
		{"http", "Example.COM:80", "example.com"},
		{"http", "example.com:443", "example.com:443"},
		{"https", "example.com:443", "example.com"},
		{"https", "example.com:80", "example.com:80"},
		{"http", "127.0.0.1:7990", "127.0.0.1:7990"},
		{"http", "[::1]:80", "[::1]"},
		{"http", "example.com", "example.com"},
	}
	for _, tt := range tests {
		if got := NormalizeHost(tt.scheme, tt.host); got != tt.want {
			t.Errorf("NormalizeHost(%q, %q) = %q, want %q", tt.scheme, tt.host, got, tt.want)
		}
	}
}

func TestParseAuthorizationParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Param
		bad  bool
	}{
		{"dghubble style", `oauth_consumer_key="k", oauth_nonce="a%2Bb%3D", oauth_token=""`,
			[]Param{{"oauth_consumer_key", "k"}, {"oauth_nonce", "a+b="}, {"oauth_token", ""}}, false},
		{"no spaces, unquoted", `realm="r",oauth_version=1.0`,
			[]Param{{"realm", "r"}, {"oauth_version", "1.0"}}, false},
		{"plus stays plus", `oauth_signature="ab+c/d=="`, []Param{{"oauth_signature", "ab+c/d=="}}, false},
		{"newlines", "a=\"1\",\n\tb=\"2\"", []Param{{"a", "1"}, {"b", "2"}}, false},
		{"empty", ``, nil, false},
		{"unterminated", `a="1`, nil, true},
		{"no value", `a`, nil, true},
		{"garbage after value", `a="1" b="2"`, nil, true},
		{"bad escape", `a="%zz"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseAuthorizationParams(tt.in)
			if (err != nil) != tt.bad {
				t.Fatalf("err = %v, want error %v", err, tt.bad)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Param{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOAuth1MessageRejectsDuplicateProtocolParams(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "http://h/x?oauth_nonce=2", nil)
	r.Header.Set("Authorization", `OAuth oauth_consumer_key="k", oauth_nonce="1"`)
	_, p := Parse(r)
	if p == nil || p.problem != "parameter_rejected" {
		t.Fatalf("problem = %v, want parameter_rejected", p)
	}
	if diff := cmp.Diff([]Param{{"oauth_problem", "parameter_rejected"}, {"oauth_parameters_rejected", "oauth_nonce"}},
		p.Params(), cmp.AllowUnexported(Param{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// verifyServer answers 204 when a request's RSA-SHA1 signature verifies
// against pub, else 401 with the reason.
func verifyServer(t *testing.T, pub *rsa.PublicKey) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, p := Parse(r)
		if p != nil {
			http.Error(w, p.Error(), http.StatusBadRequest)
			return
		}
		if got := msg.Value("oauth_signature_method"); got != "RSA-SHA1" {
			http.Error(w, "method "+got, http.StatusBadRequest)
			return
		}
		if err := VerifyRSASHA1(pub, msg.BaseString(), msg.signature); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func expectStatus(t *testing.T, resp *http.Response, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status = %d (%s), want %d", resp.StatusCode, strings.TrimSpace(string(b)), want)
	}
}

// Signatures made by github.com/dghubble/oauth1 verify, wherever its
// parameters end up (header, query, form body), and tampering is caught.
func TestVerifyDghubbleSignatures(t *testing.T) {
	t.Parallel()
	key := testsupport.MustPrivateKey(t, testkeys.LinkPrivateKeyPEM)
	srv := verifyServer(t, &key.PublicKey)
	// Noncer set up front: dghubble writes a default into a shared Config otherwise (a data race).
	cfg := &oauth1.Config{ConsumerKey: testLinkConsumerKey, Signer: &oauth1.RSASigner{PrivateKey: key}, Noncer: oauth1.Base64Noncer{}}
	tests := []struct {
		name   string
		token  string
		method string
		path   string
		ctype  string
		body   string
	}{
		{"3lo GET with query", "tok-1", "GET", "/bitbucket/rest/api/1.0/users/alice?avatarSize=48&q=a%20b+c&e=%C3%A9", "", ""},
		{"2lo empty token", "", "GET", "/bitbucket/rest/api/1.0/users/svc-ci", "", ""},
		{"impersonation in query", "", "GET", "/bitbucket/rest/api/1.0/users/bob?xoauth_requestor_id=bob", "", ""},
		{"form body is signed", "tok-2", "POST", "/bitbucket/x?z=1", "application/x-www-form-urlencoded", "name=a+b&perm=%2Fx%3D&empty="},
		{"json body is not", "tok-3", "PUT", "/bitbucket/rest/access-tokens/1.0/users/alice", "application/json", `{"name":"x"}`},
		{"escaped path", "tok-4", "GET", "/bitbucket/rest/api/1.0/users/a%2Fb~c%20d", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := cfg.Client(context.Background(), oauth1.NewToken(tt.token, "unused-secret"))
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := client.Do(req)
			expectStatus(t, resp, err, http.StatusNoContent)
		})
	}

	t.Run("request-token and access-token legs", func(t *testing.T) {
		t.Parallel()
		c := *cfg
		c.CallbackURL = "http://127.0.0.1:1/cb?x=1"
		c.Endpoint = oauth1.Endpoint{RequestTokenURL: srv.URL + "/bitbucket/plugins/servlet/oauth/request-token",
			AccessTokenURL: srv.URL + "/bitbucket/plugins/servlet/oauth/access-token"}
		// The verify server answers 204 without a body, which dghubble
		// refuses after the request: an invalid-status error means 401.
		c.HTTPClient = &http.Client{Transport: statusCheck{t}}
		_, _, _ = c.RequestToken()
		_, _, _ = c.AccessToken("req-tok", "req-secret", "verif")
	})

	t.Run("tampered query", func(t *testing.T) {
		t.Parallel()
		ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: tamper{}})
		resp, err := cfg.Client(ctx, oauth1.NewToken("t", "s")).Get(srv.URL + "/bitbucket/rest/api/1.0/users/alice?a=1")
		expectStatus(t, resp, err, http.StatusUnauthorized)
	})

	t.Run("wrong key", func(t *testing.T) {
		t.Parallel()
		other := &oauth1.Config{ConsumerKey: testLinkConsumerKey, Signer: &oauth1.RSASigner{PrivateKey: testsupport.MustPrivateKey(t, testkeys.ThreeLOPrivateKeyPEM)}}
		resp, err := other.Client(context.Background(), oauth1.NewToken("t", "s")).Get(srv.URL + "/bitbucket/x")
		expectStatus(t, resp, err, http.StatusUnauthorized)
	})
}

// statusCheck sends to the real server and fails the test unless it said 204.
type statusCheck struct{ t *testing.T }

func (s statusCheck) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && resp.StatusCode != http.StatusNoContent {
		b, _ := io.ReadAll(resp.Body)
		s.t.Errorf("%s %s: status %d: %s", r.Method, r.URL.Path, resp.StatusCode, b)
	}
	return resp, err
}

// tamper changes the query after dghubble signed the request.
type tamper struct{}

func (tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	u := *r.URL
	u.RawQuery = "a=2"
	r2 := r.Clone(r.Context())
	r2.URL = &u
	return http.DefaultTransport.RoundTrip(r2)
}

// placement says where the protocol parameters go.
type placement int

const (
	inHeader placement = iota
	inQuery
	inBody
)

// signedRequest builds a request signed by s; extraQuery and extraForm are the
// request's own parameters (duplicates allowed).
func signedRequest(t *testing.T, s testsupport.Signer, method, serverURL, host, path string, token *string, extraQuery, extraForm []kv, where placement, now time.Time) *http.Request {
	t.Helper()
	proto := []kv{
		{"oauth_consumer_key", s.Consumer},
		{"oauth_signature_method", "RSA-SHA1"},
		{"oauth_timestamp", strconv.FormatInt(now.Unix(), 10)},
		{"oauth_nonce", fmt.Sprintf("n %d/+=", time.Now().UnixNano())},
		{"oauth_version", "1.0"},
	}
	if token != nil {
		proto = append(proto, kv{"oauth_token", *token})
	}
	all := append(append(append([]kv{}, proto...), extraQuery...), extraForm...)
	sig := s.Sign(method, "http://"+strings.ToLower(host)+path, all)
	proto = append(proto, kv{"oauth_signature", sig})

	q := append([]kv{}, extraQuery...)
	form := append([]kv{}, extraForm...)
	var header string
	switch where {
	case inHeader:
		parts := []string{`realm="http%3A%2F%2Fignored"`}
		for _, p := range proto {
			parts = append(parts, testsupport.Encode(p[0])+`="`+testsupport.Encode(p[1])+`"`)
		}
		header = "OAuth " + strings.Join(parts, ",\t ")
	case inQuery:
		q = append(q, proto...)
	case inBody:
		form = append(form, proto...)
	}
	formEncode := func(ps []kv) string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1])
		}
		return strings.Join(out, "&")
	}
	u := serverURL + path
	if len(q) > 0 {
		u += "?" + formEncode(q)
	}
	var body io.Reader
	if where == inBody || len(extraForm) > 0 {
		body = strings.NewReader(formEncode(form))
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	}
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	return req
}

func TestVerifyIndependentSigner(t *testing.T) {
	t.Parallel()
	key := testsupport.MustPrivateKey(t, testkeys.LinkPrivateKeyPEM)
	srv := verifyServer(t, &key.PublicKey)
	hostPort := strings.TrimPrefix(srv.URL, "http://")
	s := testsupport.Signer{Key: key, Consumer: testLinkConsumerKey}
	empty, tok := "", "3d7a-token"
	dupQuery := []kv{{"b", "2"}, {"a", "x y"}, {"b", "1"}, {"a=", "=*!"}, {"c", ""}}
	form := []kv{{"name", "tok én"}, {"b", "0"}}
	tests := []struct {
		name   string
		method string
		host   string
		path   string
		token  *string
		query  []kv
		form   []kv
		where  placement
	}{
		{"header", "GET", hostPort, "/bitbucket/rest/api/1.0/users/alice", &tok, dupQuery, nil, inHeader},
		{"query", "GET", hostPort, "/bitbucket/rest/api/1.0/users/alice", &tok, dupQuery, nil, inQuery},
		{"form body", "POST", hostPort, "/bitbucket/plugins/servlet/oauth/request-token", nil, nil, form, inBody},
		{"header plus form", "POST", hostPort, "/bitbucket/p", &tok, dupQuery, form, inHeader},
		{"query plus form", "POST", hostPort, "/bitbucket/p", &empty, dupQuery, form, inQuery},
		{"2lo in header", "GET", hostPort, "/bitbucket/rest/api/1.0/users/svc-ci", &empty, nil, nil, inHeader},
		{"mixed-case host", "GET", "LocalHost" + hostPort[strings.LastIndex(hostPort, ":"):], "/bitbucket/x", &tok, nil, nil, inHeader},
		{"no context path", "DELETE", hostPort, "/rest/x/1", &tok, nil, nil, inHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := signedRequest(t, s, tt.method, srv.URL, tt.host, tt.path, tt.token, tt.query, tt.form, tt.where, time.Now())
			resp, err := http.DefaultClient.Do(req)
			expectStatus(t, resp, err, http.StatusNoContent)
		})
	}

	bad := []struct {
		name  string
		mutil func(r *http.Request)
	}{
		{"query changed", func(r *http.Request) { r.URL.RawQuery += "&extra=1" }},
		{"path changed", func(r *http.Request) { r.URL.Path += "x" }},
		{"method changed", func(r *http.Request) { r.Method = "POST" }},
		{"host changed", func(r *http.Request) { r.Host = "127.0.0.2:1" }},
		{"form becomes json", func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := signedRequest(t, s, "GET", srv.URL, hostPort, "/bitbucket/y", &tok, dupQuery, nil, inHeader, time.Now())
			if tt.name == "form becomes json" {
				req = signedRequest(t, s, "POST", srv.URL, hostPort, "/bitbucket/y", &tok, nil, form, inHeader, time.Now())
			}
			tt.mutil(req)
			resp, err := http.DefaultClient.Do(req)
			expectStatus(t, resp, err, http.StatusUnauthorized)
		})
	}
}

func TestParseRSAPublicKey(t *testing.T) {
	t.Parallel()
	key := testsupport.MustPrivateKey(t, testkeys.LinkPrivateKeyPEM)
	pkix, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pkcs1 := x509.MarshalPKCS1PublicKey(&key.PublicKey)
	inputs := map[string]string{
		"pkix pem":   testkeys.LinkPublicKeyPEM,
		"pkcs1 pem":  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})),
		"bare der":   base64.StdEncoding.EncodeToString(pkix),
		"bare wrapd": base64.StdEncoding.EncodeToString(pkix)[:40] + "\n" + base64.StdEncoding.EncodeToString(pkix)[40:],
	}
	for name, in := range inputs {
		pub, err := ParseRSAPublicKey(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !pub.Equal(&key.PublicKey) {
			t.Errorf("%s: different key", name)
		}
	}
	if _, err := ParseRSAPublicKey("not a key"); err == nil {
		t.Error("garbage parsed")
	}
}

// Round trip: whatever names and values go into an OAuth header (as
// oauthChallenge formats one) come back out of parseAuthorizationParams.
func FuzzParseAuthorizationParams(f *testing.F) {
	f.Add("oauth_nonce", "a+b/c=", "oauth_token", "")
	f.Add("realm", "http://h:1/x", "oauth_callback", "http://127.0.0.1:9/cb?a=1&b=2")
	f.Add("x", "\"quoted, comma\"", "é", "\x00\xff")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string) {
		if n1 == "" || n2 == "" {
			return
		}
		in := []Param{{n1, v1}, {n2, v2}}
		h := oauthChallenge("r", in)
		rest, ok := AuthScheme(h, "OAuth")
		if !ok {
			t.Fatalf("no OAuth scheme in %q", h)
		}
		got, err := parseAuthorizationParams(rest)
		if err != nil {
			t.Fatalf("parse %q: %v", h, err)
		}
		want := append([]Param{{"realm", "r"}}, in...)
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(Param{})); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		// Arbitrary input never panics.
		_, _ = parseAuthorizationParams(n1 + v1 + n2 + v2)
	})
}
