package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
	loc    string // Location, if any
}

// jsonObject decodes the body as a JSON object or fails.
func (r *response) jsonObject(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body is not a JSON object (%v): %.300s", r.status, err, redactBody(r.body))
	}
	return m
}

// form decodes an application/x-www-form-urlencoded body (OAuth 1 answers).
func (r *response) form(t *testing.T) url.Values {
	t.Helper()
	v, err := url.ParseQuery(strings.TrimSpace(string(r.body)))
	if err != nil {
		t.Fatalf("status %d, body is not form-encoded (%v): %.300s", r.status, err, redactBody(r.body))
	}
	return v
}

// redactBody keeps error bodies readable but hides anything token-like.
func redactBody(b []byte) string {
	s := string(b)
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		for _, k := range []string{"access_token", "refresh_token", "token"} {
			if _, ok := m[k]; ok {
				m[k] = "REDACTED"
			}
		}
		out, _ := json.Marshal(m)
		return string(out)
	}
	return secretParamRE.ReplaceAllString(s, "$1=REDACTED")
}

// secretParamRE finds token-like parameters in form bodies, URLs and HTML.
var secretParamRE = regexp.MustCompile(`(?i)\b((?:access_|refresh_|oauth_)?token(?:_secret)?|code|oauth_verifier|oauth_session_handle|password)=[^&"'\s<>]+`)

func (r *response) String() string {
	return fmt.Sprintf("status %d, body %.300s", r.status, redactBody(r.body))
}

// do sends req and reads the answer; transport errors fail the case.
func (e *env) do(t *testing.T, req *http.Request) *response {
	t.Helper()
	resp, err := e.http.Do(req.WithContext(e.ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, redactURL(req.URL), err)
	}
	return readResponse(t, resp)
}

func readResponse(t *testing.T, resp *http.Response) *response {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b, loc: resp.Header.Get("Location")}
}

// redactURL hides token-like query parameters.
func redactURL(u *url.URL) string {
	c := *u
	q := c.Query()
	for k := range q {
		if strings.Contains(k, "token") || strings.Contains(k, "code") || strings.Contains(k, "secret") || k == "oauth_signature" {
			q.Set(k, "REDACTED")
		}
	}
	c.RawQuery = q.Encode()
	c.User = nil
	return c.String()
}

func newRequest(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	return req
}

// get sends a GET with optional headers.
func (e *env) get(t *testing.T, u string, hdr ...string) *response {
	t.Helper()
	req := newRequest(t, http.MethodGet, u, nil)
	setHeaders(req, hdr)
	return e.do(t, req)
}

// postForm sends a form POST with optional headers (name, value pairs).
func (e *env) postForm(t *testing.T, u string, form url.Values, hdr ...string) *response {
	t.Helper()
	req := newRequest(t, http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	setHeaders(req, hdr)
	return e.do(t, req)
}

func setHeaders(req *http.Request, hdr []string) {
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
}

// basic is an HTTP Basic Authorization value.
func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// clientBasic is Basic client authentication as RFC 6749 §2.3.1 says and
// golang.org/x/oauth2 does it: id and secret form-URL-encoded first.
func clientBasic(id, secret string) string {
	return basic(url.QueryEscape(id), url.QueryEscape(secret))
}

func bearer(tok string) string { return "Bearer " + tok }

// wantStatus fails unless r has one of the statuses.
func wantStatus(t *testing.T, r *response, codes ...int) {
	t.Helper()
	if !slices.Contains(codes, r.status) {
		t.Fatalf("want status %v, got %s", codes, r)
	}
}

// wantClientError fails unless r is a 4xx.
func wantClientError(t *testing.T, r *response) {
	t.Helper()
	if r.status/100 != 4 {
		t.Fatalf("want a 4xx status, got %s", r)
	}
}

// wantOAuth2Error checks an RFC 6749 §5.2 error: a 4xx (status when non-zero),
// a JSON body whose "error" is one of codes, and no token.
func wantOAuth2Error(t *testing.T, r *response, status int, codes ...string) map[string]any {
	t.Helper()
	if status != 0 && r.status != status {
		t.Fatalf("want status %d, got %s", status, r)
	}
	wantClientError(t, r)
	m := r.jsonObject(t)
	code, _ := m["error"].(string)
	if !slices.Contains(codes, code) {
		t.Fatalf("want error %v, got %q (%s)", codes, code, r)
	}
	if _, ok := m["access_token"]; ok {
		t.Fatalf("error response carries an access_token")
	}
	return m
}

// str reads a string field.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// number reads a JSON number field.
func number(t *testing.T, m map[string]any, k string) float64 {
	t.Helper()
	n, ok := m[k].(float64)
	if !ok {
		t.Fatalf("field %q is %T (%v), want a JSON number", k, m[k], m[k])
	}
	return n
}

// keys of a JSON object, sorted.
func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// isURLSafe says whether s uses only URL-safe token characters.
func isURLSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '=') {
			return false
		}
	}
	return true
}

func nopBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
