package cloud

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// Cloud eras. "2026" is Bitbucket Cloud since 2026-05-04 (Atlassian's
// CHANGE-3052, docs/bitbucket-behaviour.md#cloud-2026) and the default; "2025" keeps the behaviour before
// it (docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#cloud-2025-refresh): plural `scopes` plus `state`, refresh tokens for client
// credentials, per-consumer rotation, ?access_token= and Basic on REST,
// opaque 120-character access tokens.
const (
	Era2025 = "2025"
	Era2026 = "2026"
)

// Defaults of the era-2026 refresh-token policy (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-refresh-rotation).
const (
	defaultRefreshGrace   = 10 * time.Minute    // "expires about 10 minutes after use" (docs/bitbucket-behaviour.md#cloud-refresh-rotation, OBS)
	defaultRefreshLockout = 2 * time.Minute     // "briefly refused ... worked again minutes later" (docs/bitbucket-behaviour.md#cloud-2026, OBS); 2m is our choice
	defaultRefreshIdle    = 90 * 24 * time.Hour // "unused refresh tokens expire after 3 months" (docs/bitbucket-behaviour.md#cloud-2026, DOC)
)

// refreshPolicy is the era-2026 refresh-token policy, settable at run time
// through /_mock/cloud/refresh. Guarded by State.mu.
type refreshPolicy struct {
	Grace   time.Duration // a used refresh token keeps working this long after its first use
	Lockout time.Duration // a use of a dead refresh token refuses the consumer's refreshes this long
	Idle    time.Duration // a refresh token unused this long dies
}

// cloudEraOf validates the fixture's era ("" = 2026).
func cloudEraOf(f Fixtures) (string, error) {
	switch f.Era {
	case "", Era2026:
		return Era2026, nil
	case Era2025:
		return Era2025, nil
	}
	return "", fmt.Errorf("era %q is not 2025 or 2026", f.Era)
}

// refreshPolicyOf reads the fixture's policy, filling in the defaults.
func refreshPolicyOf(f Fixtures) (refreshPolicy, error) {
	p := refreshPolicy{Grace: defaultRefreshGrace, Lockout: defaultRefreshLockout, Idle: defaultRefreshIdle}
	for _, d := range []struct {
		name, v string
		dst     *time.Duration
	}{{"refresh_grace", f.RefreshGrace, &p.Grace}, {"refresh_lockout", f.RefreshLockout, &p.Lockout}, {"refresh_idle", f.RefreshIdle, &p.Idle}} {
		if d.v == "" {
			continue
		}
		v, err := time.ParseDuration(d.v)
		if err != nil || v < 0 {
			return p, fmt.Errorf("%s: want a non-negative Go duration, got %q", d.name, d.v)
		}
		*d.dst = v
	}
	return p, nil
}

// modern reports whether the Cloud side behaves as Cloud does since
// 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026).
func (s *State) modern() bool { return s.era == Era2026 }

// consumerWorkspace is the workspace that owns consumer c: its `workspace`
// fixture, else its owner's personal workspace (named like the user).
func consumerWorkspace(c *Consumer) string {
	if c.Workspace != "" {
		return c.Workspace
	}
	return c.Owner
}

// appUserName is how the mock names the app user of consumer key (docs/bitbucket-behaviour.md#cloud-2026:
// client credentials act as an app_user). The colon keeps it apart from
// every Bitbucket username, so only x-token-auth goes with its tokens on git.
func appUserName(key string) string { return "app_user:" + key }

// restAppUser answers GET /2.0/user for an era-2026 client-credentials
// token. UNCONFIRMED (docs/bitbucket-behaviour.md#cloud-2026 says the token is an app_user, not what
// /2.0/user shows): we answer 200 with an account of type "app_user", as
// the Cloud OpenAPI names that schema, with `display_name`, `uuid`,
// `account_id`, `account_status` and `links`, and no `username` or
// `nickname` (an app user is no Bitbucket user; a client must not take a
// git username from it: x-token-auth goes with its tokens).
func (s *State) restAppUser(w http.ResponseWriter, r *http.Request, tok *accessToken) {
	uuid := derivedUUID("app_user", tok.client)
	core.JSONReply(w, http.StatusOK, map[string]any{
		"type":           "app_user",
		"display_name":   tok.client,
		"uuid":           uuid,
		"account_id":     "712020:" + strings.Trim(derivedUUID("app_user_account", tok.client), "{}"),
		"account_status": "active",
		"created_on":     "2026-05-04T00:00:00.000000+00:00",
		"links": map[string]any{
			"self":   link(origin(r) + "/2.0/users/" + uuid),
			"avatar": link(origin(r) + "/account/" + url.PathEscape(tok.client) + "/avatar/"),
		},
	})
}
