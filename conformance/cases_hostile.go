package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostileCases are the hostile area: one case per hostile server.
func hostileCases(o options) []testCase {
	if o.hostile == "" {
		return nil
	}
	type hcase struct {
		name string
		fn   func(t *testing.T, ctx context.Context, r *hostileRig)
	}
	cases := []hcase{
		{"redirect-cloud-token-endpoint", redirectCloudToken("client-credentials")},
		{"redirect-cloud-jwt-token-endpoint", redirectCloudToken("jwt")},
		{"redirect-server-whoami", redirectServer(http.MethodGet, "/rest/api/latest/application-properties")},
		{"redirect-server-mint", redirectServer(http.MethodPut, "/rest/access-tokens/1.0/users/svc-ci")},
		{"oversize-token-answer", badCloudAnswer(`{"access_token":"`+strings.Repeat("A", 900_000)+`","token_type":"bearer","expires_in":7200}`, "bytes")},
		{"token-with-terminal-escape", badCloudAnswer(`{"access_token":"tok\u001b]0;pwned\u0007","token_type":"bearer","expires_in":7200}`, "visible ASCII")},
		{"token-type-not-bearer", badCloudAnswer(`{"access_token":"tok-mac","token_type":"mac","expires_in":7200}`, "token_type")},
		{"token-answer-not-json", badCloudAnswer(`<html>welcome</html>`, "unreadable")},
		{"minted-token-with-newline", badMint("MINTED\nurl=https://evil.example", "visible ASCII")},
		{"oversize-minted-token", badMint(strings.Repeat("M", 20_000), "bytes")},
		{"terminal-escapes-in-error", escapesInError},
		{"hung-token-endpoint", hungTokenEndpoint},
		{"unconfigured-host-untouched", unconfiguredHost},
		{"ci-environment-names-no-host", ciEnvironment},
	}
	var cs []testCase
	for _, c := range cases {
		cs = append(cs, testCase{area: "hostile", name: c.name, fn: func(t *testing.T, e *env) {
			c.fn(t, e.ctx, newHostileRig(t, o.hostile))
		}})
	}
	return cs
}

// redirectCloudToken: the token endpoint answers 307 to another server;
// the client secret (or the Connect JWT) must not follow.
func redirectCloudToken(grant string) func(*testing.T, context.Context, *hostileRig) {
	return func(t *testing.T, ctx context.Context, r *hostileRig) {
		thief, hits := counter(t)
		srv := hostile(t, func(w http.ResponseWriter, req *http.Request) {
			http.Redirect(w, req, thief.URL+req.URL.Path, http.StatusTemporaryRedirect)
		})
		r.cloudClient(srv.URL)
		if grant == "jwt" {
			r.set("bitbucket."+srv.URL+".grant", "jwt")
			r.set("bitbucket."+srv.URL+".jwtKey", "hostile-app")
			r.set("bitbucket."+srv.URL+".jwtClientKey", "hostile-client")
		}
		r.get(ctx, srv.URL).refused(t, thief.URL, "bitbucket.apiURL")
		if n := hits.Load(); n != 0 {
			t.Errorf("the redirect target got %d requests", n)
		}
	}
}

// redirectServer: one signed Server call answers 308 elsewhere.
func redirectServer(method, path string) func(*testing.T, context.Context, *hostileRig) {
	return func(t *testing.T, ctx context.Context, r *hostileRig) {
		thief, hits := counter(t)
		ok := appPropsThen(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, `{"id":"7","token":"MINTED-OK","createdDate":%d}`, time.Now().UnixMilli())
		})
		srv := hostile(t, func(w http.ResponseWriter, req *http.Request) {
			if req.Method == method && req.URL.Path == path {
				http.Redirect(w, req, thief.URL+req.URL.Path, http.StatusPermanentRedirect)
				return
			}
			ok(w, req)
		})
		r.server2LO(srv.URL)
		r.get(ctx, srv.URL).refused(t, thief.URL, "bitbucket.apiURL")
		if n := hits.Load(); n != 0 {
			t.Errorf("the redirect target got %d requests", n)
		}
	}
}

// badCloudAnswer: a token answer the helper must refuse, naming the
// server and what was wrong.
func badCloudAnswer(body, what string) func(*testing.T, context.Context, *hostileRig) {
	return func(t *testing.T, ctx context.Context, r *hostileRig) {
		srv := hostileToken(t, body)
		r.cloudClient(srv.URL)
		res := r.get(ctx, srv.URL)
		res.refused(t, strings.TrimPrefix(srv.URL, "http://"), what)
		if len(res.stderr) > 1000 {
			t.Errorf("stderr of %d bytes", len(res.stderr))
		}
	}
}

// badMint: Server mints an HTTP access token git cannot be given.
func badMint(token, what string) func(*testing.T, context.Context, *hostileRig) {
	return func(t *testing.T, ctx context.Context, r *hostileRig) {
		srv := hostile(t, appPropsThen(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"7","token":%q,"createdDate":%d}`, token, time.Now().UnixMilli())
		}))
		r.server2LO(srv.URL)
		r.get(ctx, srv.URL).refused(t, strings.TrimPrefix(srv.URL, "http://"), what)
	}
}

// escapesInError: the token endpoint's error text is full of terminal
// escapes (CSI, OSC, BEL, C1) and a bidi override; none reaches stderr.
func escapesInError(t *testing.T, ctx context.Context, r *hostileRig) {
	srv := hostile(t, func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_client\u001b[2J","error_description":"\u001b]0;owned\u0007\u009b31m\u202epassword=x"}`)
	})
	r.cloudClient(srv.URL)
	res := r.get(ctx, srv.URL)
	res.refused(t)
	if strings.ContainsAny(res.stderr, "\u202e\u2066\u2028") {
		t.Errorf("a bidi override reached stderr: %q", res.stderr)
	}
	if strings.Contains(res.stdout, "password=x") {
		t.Errorf("server text reached git's stdout: %q", res.stdout)
	}
}

// hungTokenEndpoint: the token endpoint never answers; the helper gives up
// at its timeout (2s here) and says so, giving git nothing.
func hungTokenEndpoint(t *testing.T, ctx context.Context, r *hostileRig) {
	release := make(chan struct{})
	srv := hostile(t, func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	r.cloudClient(srv.URL)
	r.set("bitbucket."+srv.URL+".timeout", "2s")
	res := r.get(ctx, srv.URL)
	res.refused(t)
	if res.took > 15*time.Second {
		t.Errorf("get took %s with timeout=2s", res.took)
	}
	if res.stderr == "" {
		t.Errorf("no word on stderr after giving up")
	}
}

// unconfiguredHost: with one Cloud remote configured, a request for a
// loopback host nobody configured sends it nothing and says nothing.
func unconfiguredHost(t *testing.T, ctx context.Context, r *hostileRig) {
	configured := hostileToken(t, `{"access_token":"tok-ours","token_type":"bearer","expires_in":7200}`)
	other, hits := counter(t)
	r.cloudClient(configured.URL)
	res := r.get(ctx, other.URL)
	if res.stdout != "" || res.stderr != "" {
		t.Errorf("get for an unconfigured host: stdout %q stderr %q; want nothing", res.stdout, res.stderr)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the unconfigured host got %d requests", n)
	}
}

// ciEnvironment: the CI variables (grant, client id and secret) with no
// URL name no remote: a loopback host git asks about gets no request and
// never the secret (issue 10 point 1).
func ciEnvironment(t *testing.T, ctx context.Context, r *hostileRig) {
	other, hits := counter(t)
	r.env = []string{"GIT_CREDENTIAL_BITBUCKET_GRANT=client-credentials",
		"GIT_CREDENTIAL_BITBUCKET_CLIENT_ID=ci-consumer", "GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=" + hostileSecret}
	res := r.get(ctx, other.URL)
	res.refused(t)
	if n := hits.Load(); n != 0 {
		t.Errorf("the unconfigured host got %d requests", n)
	}
}
