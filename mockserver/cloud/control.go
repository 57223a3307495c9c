package cloud

import (
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// cloudRefreshControl is the body of GET and POST /_mock/cloud/refresh:
// the era-2026 refresh-token policy (Go durations) and, read-only, the era
// and the consumers locked out now.
type cloudRefreshControl struct {
	Era     string            `json:"era"`
	Grace   string            `json:"grace"`
	Lockout string            `json:"lockout"`
	Idle    string            `json:"idle"`
	Locked  map[string]string `json:"locked"` // consumer key -> end of its lockout (RFC 3339)
	Now     string            `json:"now"`
}

// HandleRefreshControl serves GET /_mock/cloud/refresh (read the
// policy) and POST with any of {"grace","lockout","idle"} (set them; they
// apply at once, to tokens issued earlier too) or {"unlock":true} (end
// every lockout). The policy returns to the fixtures' on POST /_mock/reset.
func (cs *State) HandleRefreshControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		var req struct {
			Grace, Lockout, Idle *string
			Unlock               bool
		}
		if err := core.DecodeControl(r, &req); err != nil {
			core.ControlError(w, err)
			return
		}
		if err := cs.setRefreshPolicy(req.Grace, req.Lockout, req.Idle, req.Unlock); err != nil {
			core.ControlError(w, err)
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		core.JSONReply(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET or POST /_mock/cloud/refresh"})
		return
	}
	core.JSONReply(w, http.StatusOK, cs.refreshControl())
}

// setRefreshPolicy sets the given durations (nil = unchanged), all or none.
func (s *State) setRefreshPolicy(grace, lockout, idle *string, unlock bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policy
	for _, d := range []struct {
		name string
		v    *string
		dst  *time.Duration
	}{{"grace", grace, &p.Grace}, {"lockout", lockout, &p.Lockout}, {"idle", idle, &p.Idle}} {
		if d.v == nil {
			continue
		}
		v, err := time.ParseDuration(*d.v)
		if err != nil || v < 0 {
			return fmt.Errorf("%s: want a non-negative Go duration such as \"10m\", got %q", d.name, *d.v)
		}
		*d.dst = v
	}
	s.policy = p
	if unlock {
		clear(s.locked)
	}
	return nil
}

func (s *State) refreshControl() cloudRefreshControl {
	now := s.m.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := cloudRefreshControl{Era: s.era, Grace: s.policy.Grace.String(), Lockout: s.policy.Lockout.String(),
		Idle: s.policy.Idle.String(), Locked: map[string]string{}, Now: now.UTC().Format(time.RFC3339)}
	keys := make([]string, 0, len(s.locked))
	for k := range s.locked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if until := s.locked[k]; now.Before(until) {
			out.Locked[k] = until.UTC().Format(time.RFC3339Nano)
		}
	}
	return out
}

// cloudRefreshTokenInfo answers POST /_mock/cloud/refresh/token
// {"token":"…"}: one refresh token's clock (era 2026), times in RFC 3339.
type cloudRefreshTokenInfo struct {
	Client   string `json:"client"`
	Issued   string `json:"issued"`
	LastUsed string `json:"last_used"`         // issue or last successful use: the idle clock
	UsedAt   string `json:"used_at,omitempty"` // first use: the grace window starts here
	DeadAt   string `json:"dead_at,omitempty"` // era 2026: end of grace once used, else last_used + idle
	Dead     bool   `json:"dead"`              // era 2026: dead_at has passed
	Revoked  bool   `json:"revoked"`
}

// HandleRefreshToken shows when a refresh token was issued and last
// used and when it dies, on the mock's clock; 404 {"known":false} for a
// token the mock never issued. The token goes in the body, not the URL.
func (cs *State) HandleRefreshToken(w http.ResponseWriter, r *http.Request) {
	var req struct{ Token string }
	if err := core.DecodeControl(r, &req); err != nil || req.Token == "" {
		core.ControlError(w, fmt.Errorf("want {\"token\":\"<refresh token>\"}"))
		return
	}
	now := cs.m.Now()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	rt, ok := cs.lookupRefreshLocked(req.Token) // swept spent ones too (sweep.go)
	if !ok {
		core.JSONReply(w, http.StatusNotFound, map[string]bool{"known": false})
		return
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	info := cloudRefreshTokenInfo{Client: rt.client, Issued: stamp(rt.issued), LastUsed: stamp(rt.lastUsed),
		UsedAt: stamp(rt.usedAt), Revoked: rt.grant.revoked}
	if cs.modern() {
		dead := cs.refreshDeadAtLocked(rt)
		info.DeadAt, info.Dead = stamp(dead), !now.Before(dead)
	}
	core.JSONReply(w, http.StatusOK, info)
}
