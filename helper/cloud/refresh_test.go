package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// refusals are the answers Bitbucket Cloud gives a refused refresh: a
// rotated-away token or a lockout (docs/bitbucket-behaviour.md#cloud-2026), an unknown token (docs/bitbucket-behaviour.md#cloud-2025-refresh),
// RFC 6749's code.
var refusals = []struct{ code, desc string }{
	{"unauthorized_client", "Invalid OAuth client credentials"},
	{"invalid_request", "Invalid refresh_token"},
	{"invalid_grant", "Invalid refresh_token"},
}

func expired(rt string) *tokenstore.Record {
	return &tokenstore.Record{Grant: grant.AuthorizationCode, AccessToken: "tok-old", RefreshToken: rt,
		Expiry: testNow.Add(-time.Minute), RefreshUsed: testNow.Add(-time.Hour)}
}

// TestRefusedRefreshNonInteractive: no credentials, an error that means
// "log in again" and never blames the client secret, and the refresh token
// kept as suspect.
func TestRefusedRefreshNonInteractive(t *testing.T) {
	t.Parallel()
	for _, r := range refusals {
		t.Run(r.code, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			f.token = func(w http.ResponseWriter, form url.Values, n int) {
				writeError(w, http.StatusBadRequest, r.code, r.desc)
			}
			got, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), expired("rt-old"), false)
			if !errors.Is(err, auth.ErrRefreshRefused) || !errors.Is(err, auth.ErrInteractionRequired) {
				t.Fatalf("err = %v, want ErrRefreshRefused and ErrInteractionRequired", err)
			}
			var cfg *auth.ConfigError
			if errors.As(err, &cfg) || strings.Contains(strings.ToLower(err.Error()), "secret") {
				t.Errorf("err = %q blames the client configuration", err)
			}
			if !strings.Contains(err.Error(), "refused the stored refresh token (used elsewhere, revoked, or unused for 90 days)") {
				t.Errorf("err = %q", err)
			}
			if got == nil || got.RefreshToken != "rt-old" || !got.RefreshRefused.Equal(testNow) {
				t.Errorf("record = %+v; want the refresh token kept, suspect since now", got)
			}
			if forms, _ := f.requests(); len(forms) != 1 {
				t.Errorf("%d token requests, want 1", len(forms))
			}
		})
	}
}

// TestRefusedRefreshInteractive: a person is asked for a new consent,
// which replaces the suspect record.
func TestRefusedRefreshInteractive(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	c := &approver{}
	exchange := c.exchange(t)
	f.authorize = c.handler(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		if form.Get("grant_type") == "refresh_token" {
			writeError(w, http.StatusBadRequest, "unauthorized_client", "Invalid OAuth client credentials")
			return
		}
		exchange(w, form, n)
	}
	env := f.env(grant.AuthorizationCode, nil)
	env.Interactive = true
	browser := f.srv.Client()
	env.OpenBrowser = func(u string) error {
		go func() {
			if resp, err := browser.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	got, err := New().Obtain(context.Background(), env, expired("rt-old"), false)
	if err != nil || got.AccessToken != "tok-authorized" || got.RefreshToken != "rt-authorized" || !got.RefreshRefused.IsZero() {
		t.Fatalf("Obtain = %+v, %v; want the new consent's token", got, err)
	}
}

// TestRefusedRefreshCooldown: a suspect token is not sent again within the
// cool-down, and is tried (and cleared) after it.
func TestRefusedRefreshCooldown(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		writeToken(w, "tok-new", "rt-new", "refresh_token")
	}
	env := f.env(grant.AuthorizationCode, nil)

	suspect := expired("rt-suspect")
	suspect.RefreshRefused = testNow.Add(-DefaultRefreshCooldown + time.Second)
	got, err := New().Obtain(context.Background(), env, suspect, false)
	if !errors.Is(err, auth.ErrRefreshRefused) || !strings.Contains(err.Error(), "tried again after 2026-11-27T12:00:01Z") {
		t.Errorf("within the cool-down: err = %v", err)
	}
	if got == nil || got.RefreshToken != "rt-suspect" || !got.RefreshRefused.Equal(suspect.RefreshRefused) {
		t.Errorf("within the cool-down: record %+v; want the suspect as it was", got)
	}
	if forms, _ := f.requests(); len(forms) != 0 {
		t.Fatalf("%d token requests within the cool-down, want 0", len(forms))
	}

	suspect.RefreshRefused = testNow.Add(-DefaultRefreshCooldown)
	got, err = New().Obtain(context.Background(), env, suspect, false)
	if err != nil || got.AccessToken != "tok-new" || got.RefreshToken != "rt-new" || !got.RefreshRefused.IsZero() || !got.RefreshUsed.Equal(testNow) {
		t.Errorf("after the cool-down: Obtain = %+v, %v; want a refresh", got, err)
	}
	if forms, _ := f.requests(); len(forms) != 1 || forms[0].Get("refresh_token") != "rt-suspect" {
		t.Errorf("after the cool-down: requests %v; want one refresh with the suspect token", forms)
	}
}

// TestRefusedRefreshClientChanged: only when the client id or secret
// differs from the login's does the message name them.
func TestRefusedRefreshClientChanged(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		writeError(w, http.StatusBadRequest, "unauthorized_client", "Invalid OAuth client credentials")
	}
	salt := []byte("0123456789abcdef")
	tests := []struct {
		name, fp    string
		wantChanged bool
	}{
		{"same client", fingerprintWith(salt, "consumer-key", "consumer-secret-xyz"), false},
		{"secret changed", fingerprintWith(salt, "consumer-key", "old-secret"), true},
		{"client id changed", fingerprintWith(salt, "old-key", "consumer-secret-xyz"), true},
		{"no fingerprint", "", false},
		{"unreadable fingerprint", "v1:***:x", false},
	}
	for _, tt := range tests {
		prev := expired("rt-old")
		prev.ClientFingerprint = tt.fp
		_, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), prev, false)
		var rr *RefreshRefusedError
		if !errors.As(err, &rr) || rr.ClientChanged != tt.wantChanged {
			t.Errorf("%s: err = %v, want ClientChanged %t", tt.name, err, tt.wantChanged)
			continue
		}
		if got := strings.Contains(err.Error(), "client secret changed since the login"); got != tt.wantChanged {
			t.Errorf("%s: message %q", tt.name, err)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) { writeToken(w, "tok-cc", "", "client_credentials") }
	env := f.env(grant.ClientCredentials, nil)
	a, err := New().Obtain(context.Background(), env, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New().Obtain(context.Background(), env, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.ClientFingerprint == "" || a.ClientFingerprint == b.ClientFingerprint {
		t.Errorf("fingerprints %q and %q: want salted, different", a.ClientFingerprint, b.ClientFingerprint)
	}
	if strings.Contains(a.ClientFingerprint, "consumer-secret-xyz") || strings.Contains(a.ClientFingerprint, "consumer-key") {
		t.Errorf("fingerprint %q holds the client id or secret", a.ClientFingerprint)
	}
	c, _ := New().newCall(env)
	if c.clientChanged(a) {
		t.Errorf("fingerprint does not match its own client")
	}
}

// TestClientCredentialsRunAgain: an expired client-credentials token is
// minted again in one request, never refreshed, whatever the record holds.
func TestClientCredentialsRunAgain(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		writeToken(w, "tok-cc2", "", "client_credentials")
	}
	prev := &tokenstore.Record{Grant: grant.ClientCredentials, AccessToken: "tok-cc1", RefreshToken: "rt-2025",
		Expiry: testNow.Add(-time.Minute)}
	got, err := New().Obtain(context.Background(), f.env(grant.ClientCredentials, nil), prev, false)
	if err != nil || got.AccessToken != "tok-cc2" || got.RefreshToken != "" {
		t.Fatalf("Obtain = %+v, %v", got, err)
	}
	forms, _ := f.requests()
	if len(forms) != 1 || forms[0].Get("grant_type") != "client_credentials" {
		t.Errorf("requests %v; want one client_credentials grant", forms)
	}
}

// TestKeepAlive: a valid access token whose refresh token has not been
// used for 60 days is refreshed anyway; a failure keeps the valid token.
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	valid := func(lastUse time.Duration) *tokenstore.Record {
		return &tokenstore.Record{Grant: grant.AuthorizationCode, AccessToken: "tok-valid", RefreshToken: "rt-idle",
			Expiry: testNow.Add(time.Hour), RefreshUsed: testNow.Add(-lastUse)}
	}
	day := 24 * time.Hour
	tests := []struct {
		name       string
		prev       *tokenstore.Record
		answer     func(w http.ResponseWriter)
		wantReqs   int
		wantAccess string
		wantRT     string
		wantSusp   bool
	}{
		{name: "59 days: nothing", prev: valid(59 * day), wantReqs: 0, wantAccess: "tok-valid", wantRT: "rt-idle"},
		{name: "60 days: refreshed", prev: valid(60 * day), wantReqs: 1, wantAccess: "tok-new", wantRT: "rt-new",
			answer: func(w http.ResponseWriter) { writeToken(w, "tok-new", "rt-new", "refresh_token") }},
		{name: "legacy record counts from its update", prev: func() *tokenstore.Record {
			r := valid(0)
			r.RefreshUsed, r.Updated = time.Time{}, testNow.Add(-61*day)
			return r
		}(), wantReqs: 1, wantAccess: "tok-new", wantRT: "rt-new",
			answer: func(w http.ResponseWriter) { writeToken(w, "tok-new", "rt-new", "refresh_token") }},
		{name: "refused: valid token kept, refresh token suspect", prev: valid(61 * day), wantReqs: 1, wantAccess: "tok-valid", wantRT: "rt-idle", wantSusp: true,
			answer: func(w http.ResponseWriter) {
				writeError(w, http.StatusBadRequest, "unauthorized_client", "Invalid OAuth client credentials")
			}},
		{name: "server error: valid token kept", prev: valid(61 * day), wantReqs: 1, wantAccess: "tok-valid", wantRT: "rt-idle",
			answer: func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCloud(t)
			if tt.answer != nil {
				f.token = func(w http.ResponseWriter, form url.Values, n int) { tt.answer(w) }
			}
			got, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), tt.prev, false)
			if err != nil || got.AccessToken != tt.wantAccess || got.RefreshToken != tt.wantRT || got.RefreshRefused.IsZero() == tt.wantSusp {
				t.Errorf("Obtain = %+v, %v", got, err)
			}
			if got != nil && got.RefreshUsed.IsZero() {
				t.Errorf("record lost its last refresh use")
			}
			if forms, _ := f.requests(); len(forms) != tt.wantReqs {
				t.Errorf("%d token requests, want %d", len(forms), tt.wantReqs)
			}
		})
	}
	if keepAliveDue(&tokenstore.Record{Grant: grant.ClientCredentials, RefreshToken: "x", RefreshUsed: testNow.Add(-90 * day)}, testNow) {
		t.Errorf("client credentials need no keep-alive")
	}
}

// TestLongTokens: tokens of 8 KiB and more (docs/bitbucket-behaviour.md#cloud-refresh-rotation) are stored and
// used with Bearer on REST.
func TestLongTokens(t *testing.T) {
	t.Parallel()
	long := jwtShaped(8300)
	f := newFakeCloud(t)
	f.token = func(w http.ResponseWriter, form url.Values, n int) { writeToken(w, long, long+"r", "refresh_token") }
	got, err := New().Obtain(context.Background(), f.env(grant.AuthorizationCode, nil), expired("rt-old"), false)
	if err != nil || got.AccessToken != long || got.RefreshToken != long+"r" {
		t.Fatalf("Obtain: %v", err)
	}
	var sawBearer bool
	srv := newFakeCloud(t)
	srv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawBearer = r.Header.Get("Authorization") == "Bearer "+long && r.URL.RawQuery == ""
		w.Write([]byte(`{"username":"alice"}`))
	})
	name, err := New().Account(context.Background(), srv.env(grant.AuthorizationCode, nil), got)
	if err != nil || name != "alice" || !sawBearer {
		t.Errorf("Account = %q, %v; Bearer header with the whole token: %t", name, err, sawBearer)
	}
}

// jwtShaped is a token of n characters shaped like Cloud's since 2026
// (three base64url parts joined by dots, docs/bitbucket-behaviour.md#cloud-2026).
func jwtShaped(n int) string {
	body := strings.Repeat("aB3-_x9Z", n/8+1)[:n-40]
	return "eyJhbGciOiJSUzI1NiJ9." + body + ".c2lnbmF0dXJlLXNpZw"
}
