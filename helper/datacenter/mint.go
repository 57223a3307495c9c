package datacenter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/tokencheck"
)

// mintedToken is a personal HTTP access token created for git
// (RestRawAccessToken, docs/bitbucket-behaviour.md#dc-access-tokens).
type mintedToken struct {
	ID     string
	Token  string
	Expiry time.Time
}

// tokenPermissions splits bitbucket.tokenPermissions on commas (and
// spaces), upper-cased; default REPO_READ, REPO_WRITE.
func tokenPermissions(s string) []string {
	if strings.TrimSpace(s) == "" {
		s = defaultTokenPermissions
	}
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		out = append(out, strings.ToUpper(f))
	}
	return out
}

// createToken is a signed PUT {base}/rest/access-tokens/1.0/users/{slug}.
func (cl *oauth1Client) createToken(ctx context.Context, slug string) (*mintedToken, error) {
	const op = "create an HTTP access token"
	c := cl.c
	if err := checkSlug(slug); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	days := c.s.TokenExpiryDays
	if days <= 0 {
		days = defaultTokenExpiryDays
	}
	now := c.now().UTC()
	reqBody, err := json.Marshal(map[string]any{
		"name":        c.tokenName(now),
		"permissions": tokenPermissions(c.s.TokenPermissions),
		"expiryDays":  days,
	})
	if err != nil {
		return nil, err
	}
	var out struct {
		ID          json.RawMessage `json:"id"`
		Token       string          `json:"token"`
		CreatedDate json.RawMessage `json:"createdDate"`
		ExpiryDate  json.RawMessage `json:"expiryDate"`
	}
	// Only 429/503 answers are retried (send): a PUT whose outcome is
	// unknown may have minted a token, and is not sent again.
	_, err = c.sendJSON(ctx, op, cl.leg, func() (*http.Request, error) {
		req, err := cl.newRequest(ctx, http.MethodPut, endpoint(c.base, "rest", "access-tokens", "1.0", "users", slug),
			bytes.NewReader(reqBody), "application/json")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return req, nil
	}, &out)
	if err != nil {
		return nil, cl.userNotFound(err, slug)
	}
	id := strings.Trim(string(out.ID), `"`)
	if out.Token == "" || id == "" || id == "null" {
		return nil, fmt.Errorf("%s: the response holds no token or id", op)
	}
	if err := tokencheck.Token("minted token", out.Token); err != nil {
		_ = cl.deleteToken(ctx, slug, id) // live on the server, never stored
		return nil, fmt.Errorf("%s: refusing the answer of %s: %w", op, redactURL(c.base), err)
	}
	exp, ok := jsonTime(out.ExpiryDate)
	if !ok {
		created, ok := jsonTime(out.CreatedDate)
		if !ok {
			created = now
		}
		exp = created.Add(time.Duration(days) * 24 * time.Hour)
	}
	return &mintedToken{ID: id, Token: out.Token, Expiry: exp}, nil
}

// deleteToken is a signed DELETE of one token; 404 counts as deleted.
func (cl *oauth1Client) deleteToken(ctx context.Context, slug, id string) error {
	const op = "delete the replaced HTTP access token"
	if slug == "" || id == "" {
		return nil
	}
	if err := checkSlug(slug); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkSegment("token id", id); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, _, err := cl.c.send(ctx, op, cl.leg, func() (*http.Request, error) {
		req, err := cl.newRequest(ctx, http.MethodDelete, endpoint(cl.c.base, "rest", "access-tokens", "1.0", "users", slug, id), nil, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return req, nil
	})
	var he *httpError
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		return nil
	}
	return err
}

// jsonTime reads epoch milliseconds (what Bitbucket sends, docs/bitbucket-behaviour.md#dc-access-tokens) or an
// RFC 3339 string.
func jsonTime(raw json.RawMessage) (time.Time, bool) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, false
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return time.Time{}, false
		}
		if t, err := time.Parse(time.RFC3339, str); err == nil {
			return t, true
		}
		s = str
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}
