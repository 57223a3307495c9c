package cloud_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
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
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	tok := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	run.Mock.Advance(2*time.Hour + 24*time.Hour - edgeMargin)
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", tok); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Access token expired.") {
		t.Fatalf("a day after expiry, just inside: %d %s", r.Status, r.Body)
	}
	run.Mock.Advance(2 * edgeMargin)
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", tok); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Token is invalid") {
		t.Fatalf("a day after expiry, just past: %d %s (want it dropped, answered as unknown)", r.Status, r.Body)
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
			run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, func(f *mockserver.CloudFixtures) { f.Era = era })
			key, secret := mockhttp.RotKey, mockhttp.RotSecret
			code := mockhttp.TokenRequest(t, run, key, secret, url.Values{"grant_type": {"authorization_code"}, "code": {mockhttp.AuthCode(t, run, key, nil)}})
			rt0 := mockhttp.Str(code.JSON(t), "refresh_token")
			refresh := func(v string) mockhttp.Response {
				return mockhttp.TokenRequest(t, run, key, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {v}})
			}
			first := refresh(rt0)
			if first.Status != http.StatusOK {
				t.Fatalf("first use: %d %s", first.Status, first.Body)
			}
			rt1 := mockhttp.Str(first.JSON(t), "refresh_token")
			run.Mock.Advance(10*time.Minute - edgeMargin)
			if r := refresh(rt0); r.Status != http.StatusOK {
				t.Fatalf("spent, inside the grace window: %d %s, want 200", r.Status, r.Body)
			}
			run.Mock.Advance(2 * edgeMargin)
			if r := refresh(rt0); r.Status != http.StatusBadRequest {
				t.Fatalf("spent, past the grace window: %d %s, want 400", r.Status, r.Body)
			}
			if era == "2026" {
				if r := refresh(rt1); r.Status != http.StatusBadRequest {
					t.Fatalf("an unused token right after a dead one's use: %d %s, want 400 (lockout)", r.Status, r.Body)
				}
			}
		})
	}
}

// TestCloudSweepReusedCodeRevokes: a code replayed after its lifetime (and
// after sweeps) still revokes the tokens it issued (RFC 6749 §4.1.2).
func TestCloudSweepReusedCodeRevokes(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	code := mockhttp.AuthCode(t, run, mockhttp.RotKey, nil)
	exchange := func() mockhttp.Response {
		return mockhttp.TokenRequest(t, run, mockhttp.RotKey, mockhttp.RotSecret, url.Values{"grant_type": {"authorization_code"}, "code": {code}})
	}
	first := exchange()
	if first.Status != http.StatusOK {
		t.Fatalf("exchange: %d %s", first.Status, first.Body)
	}
	tok := mockhttp.Str(first.JSON(t), "access_token")
	run.Mock.Advance(10*time.Minute + edgeMargin) // past the code's own lifetime
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", tok); r.Status != http.StatusOK {
		t.Fatalf("token before the replay: %d %s", r.Status, r.Body)
	}
	if r := exchange(); r.Status != http.StatusBadRequest {
		t.Fatalf("replay: %d %s, want 400", r.Status, r.Body)
	}
	if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", tok); r.Status != http.StatusUnauthorized {
		t.Fatalf("token after the replay: %d %s, want 401 (revoked)", r.Status, r.Body)
	}
}
