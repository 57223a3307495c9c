package conformance

import (
	"net/http"
	"testing"
	"time"
)

// The mock's control API (mockserver/README.md#control-api-both-listeners-at-the-root-not-under-the-context-path), through the abilities:
// only mock targets have them, so real targets skip.
func controlCases() []testCase {
	const area = "mock-control"
	return []testCase{
		{area: area, name: "reset-forgets-tokens-and-clock", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			rs, ok := e.tgt.(Resetter)
			if !ok {
				t.Skipf("target %s cannot reset", e.tgt.Name())
			}
			clk := e.clock(t)
			tok := e.cloudAccess(t, c, c.Private)
			e.advance(t, time.Hour)
			if err := rs.Reset(e.ctx); err != nil {
				t.Fatalf("reset: %v", err)
			}
			if d := clk.Now().Sub(time.Now()); d > time.Minute || d < -time.Minute {
				t.Errorf("clock is %s off the wall clock after reset", d)
			}
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusUnauthorized)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(e.cloudAccess(t, c, c.Private))), http.StatusOK)
		}},
		{area: area, name: "request-log-names-grant-and-client", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			log, ok := e.tgt.(RequestLog)
			if !ok {
				t.Skipf("target %s has no request log", e.tgt.Name())
			}
			e.cloudAccess(t, c, c.Private)
			reqs, err := log.Requests(e.ctx, "/site/oauth2/access_token")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reqs {
				if r.Grant == "client_credentials" && r.Client == c.Private.Key && r.Status == http.StatusOK && r.Side == "cloud" {
					return
				}
			}
			t.Errorf("no logged client_credentials request by %s among %d", c.Private.Key, len(reqs))
		}},
		{area: area, name: "fault-fails-next-request-once", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			f := e.faults(t)
			if err := f.AddFault(e.ctx, faultOf("/2.0/user", http.StatusServiceUnavailable, 1)); err != nil {
				t.Fatal(err)
			}
			tok := e.cloudAccess(t, c, c.Private)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusServiceUnavailable)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusOK)
		}},
	}
}
