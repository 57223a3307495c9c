package cloud

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/mocktest"
)

// TestRetryQueuedFaults: several queued 429/503 answers from the mock are
// retried as long as each wait fits before the deadline, and the request
// that follows them succeeds; a wait past the deadline is never started.
func TestRetryQueuedFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    mockserver.Fault
		timeout  time.Duration
		wantOK   bool
		statuses []int
		maxTime  time.Duration
	}{
		{name: "503 Retry-After 1 three times, 4s timeout",
			fault: mockserver.Fault{Status: 503, Times: 3, RetryAfter: "1"}, timeout: 4 * time.Second, wantOK: true,
			statuses: []int{503, 503, 503, 200}, maxTime: 4 * time.Second},
		{name: "429 Retry-After 1 three times, 4s timeout",
			fault: mockserver.Fault{Status: 429, Times: 3, RetryAfter: "1"}, timeout: 4 * time.Second, wantOK: true,
			statuses: []int{429, 429, 429, 200}, maxTime: 4 * time.Second},
		{name: "503 without Retry-After three times",
			fault: mockserver.Fault{Status: 503, Times: 3}, timeout: 4 * time.Second, wantOK: true,
			statuses: []int{503, 503, 503, 200}, maxTime: 3 * time.Second},
		{name: "503 Retry-After 1 three times, 2500ms timeout: gives up in time",
			fault: mockserver.Fault{Status: 503, Times: 3, RetryAfter: "1"}, timeout: 2500 * time.Millisecond,
			statuses: []int{503, 503, 503}, maxTime: 2500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := mocktest.StartForTest(t, mockserver.Options{})
			u, err := url.Parse(run.CloudURL)
			if err != nil {
				t.Fatal(err)
			}
			s := &gitconfig.Settings{Kind: "cloud", Grant: grant.ClientCredentials, ClientID: "mock-private",
				ClientSecret: "mock-private-secret-TEST-ONLY", Timeout: tt.timeout, RefreshMargin: 5 * time.Minute}
			env := &auth.Env{Settings: s, Remote: u, HTTP: run.HTTPClient(), Now: run.Mock.Now,
				Trace: func(format string, args ...any) { t.Logf("trace: "+format, args...) }}
			f := tt.fault
			f.Path = "/site/oauth2/access_token"
			run.Mock.AddFault(f)
			start := time.Now()
			rec, err := New().Obtain(t.Context(), env, nil, false)
			took := time.Since(start)
			if took > tt.maxTime {
				t.Errorf("took %s, want at most %s", took, tt.maxTime)
			}
			if tt.wantOK && (err != nil || rec == nil || rec.AccessToken == "") {
				t.Errorf("Obtain = %v; want a token", err)
			}
			if !tt.wantOK && err == nil {
				t.Errorf("Obtain succeeded; want the last fault's error")
			}
			var got []int
			for _, r := range run.Mock.Requests("/site/oauth2/access_token") {
				got = append(got, r.Status)
			}
			if diff := cmp.Diff(tt.statuses, got); diff != "" {
				t.Errorf("token requests' statuses (-want +got):\n%s", diff)
			}
		})
	}
}
