package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/redirect"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Account implements auth.Provider: the username from GET /2.0/user
// (docs/bitbucket-behaviour.md#cloud-user) when the token's scopes allow it (account, docs/bitbucket-behaviour.md#cloud-scopes), else
// what the record remembers.
func (p *Provider) Account(ctx context.Context, env *auth.Env, rec *tokenstore.Record) (string, error) {
	if rec == nil || rec.AccessToken == "" {
		return "", nil
	}
	if rec.Scopes != "" && !hasAccountScope(rec.Scopes) {
		return rec.Account, nil
	}
	ep, err := endpointsFor(env.Remote, env.Settings)
	if err != nil {
		return "", err
	}
	client := redirect.Refuse(env.HTTP, redirectFix)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.api+"/user", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+rec.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("get /2.0/user: %w", netmsg.Explain(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get /2.0/user: HTTP %d", resp.StatusCode)
	}
	var u struct {
		Type        string `json:"type"`
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Nickname    string `json:"nickname"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil {
		return "", fmt.Errorf("get /2.0/user: %w", err)
	}
	if u.Type == "app_user" {
		// Client credentials since 2026-05-04 act as the consumer's app
		// user, no Bitbucket user (docs/bitbucket-behaviour.md#cloud-2026).
		return strings.TrimSpace("app user " + u.DisplayName), nil
	}
	name := u.Username
	if name == "" {
		name = u.Nickname
	}
	if u.DisplayName != "" && name != "" {
		return fmt.Sprintf("%s (%s)", name, u.DisplayName), nil
	}
	if name == "" {
		name = u.DisplayName
	}
	return name, nil
}

// hasAccountScope reports whether scopes allow GET /2.0/user.
func hasAccountScope(scopes string) bool {
	f := strings.Fields(strings.ReplaceAll(scopes, ",", " "))
	return slices.Contains(f, "account") || slices.Contains(f, "account:write") || slices.Contains(f, "read:user:bitbucket")
}
