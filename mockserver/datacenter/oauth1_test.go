package datacenter

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

func TestOAuth1ThreeLeggedAutoApprove(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	cfg := testsupport.O1Config(t, base, TestLinkConsumerKey, testLinkPrivateKeyPEM, "http://127.0.0.1:9/cb?keep=1")
	at, _ := testsupport.Dance3LO(t, cfg)
	status, h, body := testsupport.SignedGet(t, cfg, at, base+"/rest/api/1.0/users/alice")
	if status != http.StatusOK {
		t.Fatalf("signed GET: %d %s", status, body)
	}
	if got := decodeJSON(t, body)["slug"]; got != "alice" {
		t.Errorf("slug = %v, want alice", got)
	}
	if h.Get("X-AUSERNAME") != "alice" || h.Get("X-AUSERID") == "" || h.Get("X-AREQUESTID") == "" {
		t.Errorf("identity headers: %v", h)
	}
	logged := run.Mock.Requests(run.Mock.ContextPath() + "/rest/api/1.0/users/alice")
	if len(logged) != 1 || logged[0].Grant != "3lo" || logged[0].Client != TestLinkConsumerKey || logged[0].User != "alice" {
		t.Errorf("request log = %+v", logged)
	}
}

func TestOAuth1TokenResponses(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{AutoApprove: true}, nil)
	// request-token, raw
	req := o1Req{Extra: []kv{{"oauth_callback", "http://127.0.0.1:9/cb"}}}.Build(t, "POST", base+"/plugins/servlet/oauth/request-token")
	status, h, body := testsupport.Do(t, nil, req)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("request-token: %d %s %s", status, h.Get("Content-Type"), body)
	}
	v, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	if v.Get("oauth_callback_confirmed") != "true" || v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" {
		t.Fatalf("request-token body = %q", body)
	}
	rt := v.Get("oauth_token")
	resp, err := testsupport.NoRedirectClient().Get(base + "/plugins/servlet/oauth/authorize?oauth_token=" + url.QueryEscape(rt))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	req = o1Req{Token: &rt, Extra: []kv{{"oauth_verifier", loc.Query().Get("oauth_verifier")}}}.Build(t, "POST", base+"/plugins/servlet/oauth/access-token")
	status, h, body = testsupport.Do(t, nil, req)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("access-token: %d %s", status, body)
	}
	v, _ = url.ParseQuery(body)
	got := map[string]bool{}
	for k := range v {
		got[k] = true
	}
	want := map[string]bool{"oauth_token": true, "oauth_token_secret": true, "oauth_expires_in": true,
		"oauth_session_handle": true, "oauth_authorization_expires_in": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access-token fields (-want +got):\n%s", diff)
	}
	if v.Get("oauth_expires_in") != "157680000" || v.Get("oauth_authorization_expires_in") != "160272000" {
		t.Errorf("lifetimes = %s, %s", v.Get("oauth_expires_in"), v.Get("oauth_authorization_expires_in"))
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(v.Get("oauth_token")) {
		t.Errorf("access token %q is not a UUID", v.Get("oauth_token"))
	}
	// The request token was spent.
	req = o1Req{Token: &rt, Extra: []kv{{"oauth_verifier", loc.Query().Get("oauth_verifier")}}}.Build(t, "POST", base+"/plugins/servlet/oauth/access-token")
	if status, _, body := testsupport.Do(t, nil, req); status != http.StatusUnauthorized || !strings.Contains(body, "oauth_problem=token_rejected") {
		t.Errorf("second exchange: %d %s", status, body)
	}

	// Session renewal: the access token and its session handle give a new
	// access token; the old one stops working.
	old, handle := v.Get("oauth_token"), v.Get("oauth_session_handle")
	req = o1Req{Token: &old, Extra: []kv{{"oauth_session_handle", handle}}}.Build(t, "POST", base+"/plugins/servlet/oauth/access-token")
	status, _, body = testsupport.Do(t, nil, req)
	v2, _ := url.ParseQuery(body)
	if status != http.StatusOK || v2.Get("oauth_token") == "" || v2.Get("oauth_token") == old {
		t.Fatalf("renewal: %d %s", status, body)
	}
	req = o1Req{Token: &old}.Build(t, "GET", base+"/rest/api/1.0/users/alice")
	if status, _, body := testsupport.Do(t, nil, req); status != http.StatusUnauthorized || !strings.Contains(body, "token_rejected") {
		t.Errorf("old token after renewal: %d %s", status, body)
	}
}

func TestOAuth1ConsentPage(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{}, nil)
	tests := []struct {
		name     string
		callback string
		decision string
		wantProb string // access-token outcome; "" = success
	}{
		{"allow", "http://127.0.0.1:9/cb", "allow", ""},
		{"deny", "http://127.0.0.1:9/cb", "deny", "permission_denied"},
		{"pending", "http://127.0.0.1:9/cb", "", "permission_unknown"},
		{"oob allow", "oob", "allow", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testsupport.O1Config(t, base, Test3LOLinkConsumerKey, test3LOLinkPrivateKeyPEM, tt.callback)
			rt, rs, err := cfg.RequestToken()
			if err != nil {
				t.Fatal(err)
			}
			authURL := base + "/plugins/servlet/oauth/authorize?oauth_token=" + url.QueryEscape(rt)
			status, _, page := testsupport.Do(t, nil, testsupport.MustRequest(t, "GET", authURL))
			if status != http.StatusOK || !strings.Contains(page, `value="allow"`) || !strings.Contains(page, `value="deny"`) ||
				!strings.Contains(page, Test3LOLinkConsumerKey) {
				t.Fatalf("consent page: %d %s", status, page)
			}
			verifier := "none"
			if tt.decision != "" {
				resp, err := testsupport.NoRedirectClient().PostForm(authURL, url.Values{"oauth_token": {rt}, "decision": {tt.decision}})
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if tt.callback == "oob" {
					b := new(strings.Builder)
					_, _ = io.Copy(b, resp.Body)
					m := regexp.MustCompile(`id="oauth_verifier">([A-Za-z0-9]+)<`).FindStringSubmatch(b.String())
					if m == nil {
						t.Fatalf("oob page shows no verifier: %s", b)
					}
					verifier = m[1]
				} else {
					loc, _ := url.Parse(resp.Header.Get("Location"))
					if resp.StatusCode != http.StatusFound || loc.Query().Get("oauth_token") != rt {
						t.Fatalf("redirect: %d %s", resp.StatusCode, loc)
					}
					verifier = loc.Query().Get("oauth_verifier")
					if tt.decision == "deny" && verifier != "denied" {
						t.Errorf("deny verifier = %q, want denied", verifier)
					}
				}
			}
			_, _, err = cfg.AccessToken(rt, rs, verifier)
			switch {
			case tt.wantProb == "" && err != nil:
				t.Fatalf("access token: %v", err)
			case tt.wantProb != "" && (err == nil || !strings.Contains(err.Error(), "oauth_problem="+tt.wantProb)):
				t.Fatalf("access token error = %v, want %s", err, tt.wantProb)
			}
		})
	}
}

func TestOAuth1TwoLegged(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{}, func(f *Fixtures) {
		f.ApplicationLinks = append(f.ApplicationLinks, ApplicationLink{
			ConsumerKey: "no-impersonation", PublicKeyPEM: testLinkPublicKeyPEM, ExecuteAs: "bob", Allow2LO: true,
		})
	})
	empty := ""
	tests := []struct {
		name     string
		consumer string
		key      string
		path     string
		status   int
		wantUser string
		wantProb string
	}{
		{"2lo runs as execute-as", TestLinkConsumerKey, "", "/rest/api/1.0/users/alice", 200, "svc-ci", ""},
		{"2lo on another link's user", "no-impersonation", "", "/rest/api/1.0/users/alice", 200, "bob", ""},
		{"2lo refused on 3lo-only link", Test3LOLinkConsumerKey, test3LOLinkPrivateKeyPEM, "/rest/api/1.0/users/alice", 401, "", "permission_denied"},
		{"impersonation", TestLinkConsumerKey, "", "/rest/api/1.0/users/alice?xoauth_requestor_id=bob", 200, "bob", ""},
		{"impersonation of unknown user", TestLinkConsumerKey, "", "/rest/api/1.0/users/alice?xoauth_requestor_id=mallory", 401, "", "permission_denied"},
		{"impersonation not allowed", "no-impersonation", "", "/rest/api/1.0/users/alice?xoauth_requestor_id=alice", 401, "", "permission_denied"},
		{"impersonation on 3lo-only link", Test3LOLinkConsumerKey, test3LOLinkPrivateKeyPEM, "/rest/api/1.0/users/alice?xoauth_requestor_id=alice", 401, "", "permission_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := o1Req{Consumer: tt.consumer, Key: tt.key, Token: &empty}.Build(t, "GET", base+tt.path)
			status, h, body := testsupport.Do(t, nil, req)
			if status != tt.status {
				t.Fatalf("status = %d (%s), want %d", status, body, tt.status)
			}
			if got := h.Get("X-AUSERNAME"); got != tt.wantUser {
				t.Errorf("X-AUSERNAME = %q, want %q", got, tt.wantUser)
			}
			if tt.wantProb != "" && !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="`+tt.wantProb+`"`) {
				t.Errorf("WWW-Authenticate = %q, want %s", h.Get("WWW-Authenticate"), tt.wantProb)
			}
		})
	}
}

// Every oauth_problem a client can provoke, with Atlassian's status, header
// and body (docs/bitbucket-behaviour.md#dc-oauth1-problems).
func TestOAuth1Problems(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	cfg := testsupport.O1Config(t, base, TestLinkConsumerKey, testLinkPrivateKeyPEM, "oob")
	rt, _, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	// Approved (oob), never exchanged.
	if status, _, page := testsupport.Do(t, nil, testsupport.MustRequest(t, "GET", base+"/plugins/servlet/oauth/authorize?oauth_token="+url.QueryEscape(rt))); status != 200 || !strings.Contains(page, "oauth_verifier") {
		t.Fatalf("oob approval: %d %s", status, page)
	}
	cfg.CallbackURL = "http://127.0.0.1:9/cb"
	at, _ := testsupport.Dance3LO(t, cfg)
	revoked, _ := testsupport.Dance3LO(t, cfg)
	if !run.Mock.server.Revoke(revoked) {
		t.Fatal("revoke found nothing")
	}
	users := base + "/rest/api/1.0/users/alice"
	reqTokenURL := base + "/plugins/servlet/oauth/request-token"
	accessURL := base + "/plugins/servlet/oauth/access-token"
	hostPort := strings.TrimPrefix(strings.TrimSuffix(base, "/bitbucket"), "http://")
	realm := `OAuth realm="http%3A%2F%2F` + strings.ReplaceAll(hostPort, ":", "%3A") + `%2Fbitbucket"`

	tests := []struct {
		name    string
		req     o1Req
		method  string
		url     string
		status  int
		problem string
		extra   string // a companion parameter expected in the body
	}{
		{"parameter_absent", o1Req{Token: &at, Omit: "oauth_nonce"}, "GET", users, 400, "parameter_absent", "oauth_parameters_absent=oauth_nonce"},
		{"parameter_absent signature", o1Req{Token: &at, Omit: "oauth_signature"}, "GET", users, 400, "parameter_absent", "oauth_parameters_absent=oauth_signature"},
		{"parameter_absent callback", o1Req{}, "POST", reqTokenURL, 400, "parameter_absent", "oauth_parameters_absent=oauth_callback"},
		{"parameter_rejected callback", o1Req{Extra: []kv{{"oauth_callback", "ftp://x/"}}}, "POST", reqTokenURL, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_callback"},
		{"parameter_rejected relative callback", o1Req{Extra: []kv{{"oauth_callback", "/cb"}}}, "POST", reqTokenURL, 400, "parameter_rejected", ""},
		{"consumer_key_unknown", o1Req{Consumer: "nobody", Token: &at}, "GET", users, 401, "consumer_key_unknown", ""},
		{"signature_invalid", o1Req{Token: &at, Key: test3LOLinkPrivateKeyPEM}, "GET", users, 401, "signature_invalid", "oauth_problem_advice="},
		{"signature_method_rejected", o1Req{Token: &at, Method: "HMAC-SHA1"}, "GET", users, 400, "signature_method_rejected", ""},
		{"timestamp_refused old", o1Req{Token: &at, TS: time.Now().Add(-10 * time.Minute)}, "GET", users, 400, "timestamp_refused", "oauth_acceptable_timestamps="},
		{"timestamp_refused future", o1Req{Token: &at, TS: time.Now().Add(6 * time.Minute)}, "GET", users, 400, "timestamp_refused", ""},
		{"negative timestamp", o1Req{Token: &at, TS: time.Unix(0, 0).Add(-time.Hour)}, "GET", users, 400, "timestamp_refused", ""},
		{"version_rejected", o1Req{Token: &at, Version: "2.0"}, "GET", users, 400, "version_rejected", "oauth_acceptable_versions=1.0-1.0"},
		{"token_rejected unknown", o1Req{Token: strp("b1d6d1c4-0000-4000-8000-000000000000")}, "GET", users, 401, "token_rejected", ""},
		{"token_rejected request token", o1Req{Token: &rt}, "GET", users, 401, "token_rejected", ""},
		{"token_rejected revoked", o1Req{Token: &revoked}, "GET", users, 401, "token_rejected", ""},
		{"token_rejected other consumer", o1Req{Token: &at, Consumer: Test3LOLinkConsumerKey, Key: test3LOLinkPrivateKeyPEM}, "GET", users, 401, "token_rejected", ""},
		{"token_rejected wrong verifier", o1Req{Token: &rt, Extra: []kv{{"oauth_verifier", "wrong"}}}, "POST", accessURL, 401, "token_rejected", ""},
		{"parameter_absent verifier", o1Req{Token: &rt}, "POST", accessURL, 400, "parameter_absent", "oauth_parameters_absent=oauth_verifier"},
		{"access-token without token", o1Req{Extra: []kv{{"oauth_verifier", "x"}}}, "POST", accessURL, 400, "parameter_absent", "oauth_parameters_absent=oauth_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, h, body := testsupport.Do(t, nil, tt.req.Build(t, tt.method, tt.url))
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			wantHeader := realm + `, oauth_problem="` + tt.problem + `"`
			if got := h.Get("WWW-Authenticate"); !strings.HasPrefix(got, wantHeader) {
				t.Errorf("WWW-Authenticate = %q, want prefix %q", got, wantHeader)
			}
			if got := h.Get("Content-Type"); got != "application/x-www-form-urlencoded;charset=UTF-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if !strings.HasPrefix(body, "oauth_problem="+tt.problem) || !strings.Contains(body, tt.extra) {
				t.Errorf("body = %q, want oauth_problem=%s and %q", body, tt.problem, tt.extra)
			}
		})
	}
}

func TestOAuth1Expiry(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	cfg := testsupport.O1Config(t, base, TestLinkConsumerKey, testLinkPrivateKeyPEM, "http://127.0.0.1:9/cb")
	at, _ := testsupport.Dance3LO(t, cfg)
	rt, _, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	run.Mock.Advance(11 * time.Minute)
	req := o1Req{Token: &rt, TS: run.Mock.Now(), Extra: []kv{{"oauth_verifier", "x"}}}.Build(t, "POST", base+"/plugins/servlet/oauth/access-token")
	if status, _, body := testsupport.Do(t, nil, req); status != 401 || !strings.HasPrefix(body, "oauth_problem=token_expired") {
		t.Errorf("expired request token: %d %s", status, body)
	}
	req = o1Req{Token: &at, TS: run.Mock.Now()}.Build(t, "GET", base+"/rest/api/1.0/users/alice")
	if status, _, body := testsupport.Do(t, nil, req); status != 200 {
		t.Fatalf("access token after 11 minutes: %d %s", status, body)
	}
	run.Mock.Advance(5 * 365 * 24 * time.Hour)
	req = o1Req{Token: &at, TS: run.Mock.Now()}.Build(t, "GET", base+"/rest/api/1.0/users/alice")
	if status, _, body := testsupport.Do(t, nil, req); status != 401 || !strings.HasPrefix(body, "oauth_problem=token_expired") {
		t.Errorf("access token after 5 years: %d %s", status, body)
	}
}
