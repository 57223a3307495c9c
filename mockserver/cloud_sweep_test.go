package mockserver_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// Every Advance sweeps (issue 15); these tests check that what later
// answers need survives the sweeps, up to the edge of each window. The
// mock clock runs on with the real one, so edges are approached within a
// few seconds (sweep_internal_test.go tests the exact instants).
const edgeMargin = 10 * time.Second

// TestCloudSweepExpiredAccessTokenAnswer: an expired access token answers
// "Access token expired." for a day past its expiry, then is unknown.
func TestCloudSweepExpiredAccessTokenAnswer(t *testing.T) {
	t.Parallel()
	run := cloudMock(t, mockserver.Options{}, nil)
	tok := str(clientCredentials(t, run, privKey, privSecret), "access_token")
	run.Mock.Advance(2*time.Hour + 24*time.Hour - edgeMargin)
	if r := get(t, run.CloudURL+"/2.0/user", tok); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Access token expired.") {
		t.Fatalf("a day after expiry, just inside: %d %s", r.status, r.body)
	}
	run.Mock.Advance(2 * edgeMargin)
	if r := get(t, run.CloudURL+"/2.0/user", tok); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Token is invalid") {
		t.Fatalf("a day after expiry, just past: %d %s (want it dropped, answered as unknown)", r.status, r.body)
	}
}

// TestCloudSweepSpentRefreshInGrace: a spent rotating refresh token still
// works until the end of its grace window, sweeps notwithstanding; in era
// 2026 its use after the window still starts the consumer's lockout.
func TestCloudSweepSpentRefreshInGrace(t *testing.T) {
	t.Parallel()
	for _, era := range []string{"2025", "2026"} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			run := cloudMock(t, mockserver.Options{AutoApprove: true}, func(f *mockserver.CloudFixtures) { f.Era = era })
			key, secret := rotKey, rotSecret
			code := tokenRequest(t, run, key, secret, url.Values{"grant_type": {"authorization_code"}, "code": {authCode(t, run, key, nil)}})
			rt0 := str(code.json(t), "refresh_token")
			refresh := func(v string) response {
				return tokenRequest(t, run, key, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {v}})
			}
			first := refresh(rt0)
			if first.status != http.StatusOK {
				t.Fatalf("first use: %d %s", first.status, first.body)
			}
			rt1 := str(first.json(t), "refresh_token")
			run.Mock.Advance(10*time.Minute - edgeMargin)
			if r := refresh(rt0); r.status != http.StatusOK {
				t.Fatalf("spent, inside the grace window: %d %s, want 200", r.status, r.body)
			}
			run.Mock.Advance(2 * edgeMargin)
			if r := refresh(rt0); r.status != http.StatusBadRequest {
				t.Fatalf("spent, past the grace window: %d %s, want 400", r.status, r.body)
			}
			if era == "2026" {
				if r := refresh(rt1); r.status != http.StatusBadRequest {
					t.Fatalf("an unused token right after a dead one's use: %d %s, want 400 (lockout)", r.status, r.body)
				}
			}
		})
	}
}

// TestCloudSweepReusedCodeRevokes: a code replayed after its lifetime (and
// after sweeps) still revokes the tokens it issued (RFC 6749 §4.1.2).
func TestCloudSweepReusedCodeRevokes(t *testing.T) {
	t.Parallel()
	run := cloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	code := authCode(t, run, rotKey, nil)
	exchange := func() response {
		return tokenRequest(t, run, rotKey, rotSecret, url.Values{"grant_type": {"authorization_code"}, "code": {code}})
	}
	first := exchange()
	if first.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", first.status, first.body)
	}
	tok := str(first.json(t), "access_token")
	run.Mock.Advance(10*time.Minute + edgeMargin) // past the code's own lifetime
	if r := get(t, run.CloudURL+"/2.0/user", tok); r.status != http.StatusOK {
		t.Fatalf("token before the replay: %d %s", r.status, r.body)
	}
	if r := exchange(); r.status != http.StatusBadRequest {
		t.Fatalf("replay: %d %s, want 400", r.status, r.body)
	}
	if r := get(t, run.CloudURL+"/2.0/user", tok); r.status != http.StatusUnauthorized {
		t.Fatalf("token after the replay: %d %s, want 401 (revoked)", r.status, r.body)
	}
}
