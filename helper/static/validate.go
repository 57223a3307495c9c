package static

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
)

// Checked is what the server said about a token.
type Checked struct {
	Account string    // Cloud username or display name, DC user name; "" when the server names none
	Slug    string    // Data Center: the user's slug (the git username)
	Expiry  time.Time // zero when the server does not say
}

// ErrRefused: the server refused the token (401).
var ErrRefused = errors.New("the server refused the token")

// Validator checks tokens with one HTTP client.
type Validator struct {
	HTTP *http.Client
}

// Cloud checks a Cloud token with GET {api}/user (api ends in /2.0): an API
// token as Basic with the Atlassian e-mail (docs/bitbucket-behaviour.md#cloud-api-tokens: REST takes API
// tokens only with the e-mail), an access token as Bearer (docs/bitbucket-behaviour.md#cloud-access-tokens). A
// 403 means the token was accepted but lacks the account scope (access
// tokens have none to give): valid, no account named.
func (v *Validator) Cloud(ctx context.Context, api, kind, token, email string) (Checked, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/user", nil)
	if err != nil {
		return Checked{}, err
	}
	switch kind {
	case KindAPIToken:
		if email == "" {
			return Checked{}, errors.New("an API token is checked with your Atlassian account e-mail (Bitbucket's REST API takes API tokens only with it): add --email ADDRESS")
		}
		req.SetBasicAuth(email, token)
	default:
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return Checked{}, fmt.Errorf("check the token: %w", netmsg.Explain(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusForbidden:
		return Checked{}, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return Checked{}, ErrRefused
	case resp.StatusCode/100 != 2:
		return Checked{}, fmt.Errorf("check the token: GET %s: %s", redactedURL(req.URL), resp.Status)
	}
	var u struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&u); err != nil {
		return Checked{}, fmt.Errorf("check the token: GET %s: %v", redactedURL(req.URL), err)
	}
	if u.Username == "" {
		u.Username = u.DisplayName
	}
	return Checked{Account: u.Username}, nil
}

// DataCenter checks an HTTP access token as Bearer on
// {base}/rest/api/latest/application-properties and reads the user from
// X-AUSERNAME (DC has no "who am I", docs/bitbucket-behaviour.md#dc-identity, docs/bitbucket-behaviour.md#dc-oauth2); a 200 without it is an
// anonymous answer (a server with public access treats a bad token as
// anonymous, docs/bitbucket-behaviour.md#dc-anonymous-access): refused. Then it reads the token's expiry from
// the user's token list (GET /rest/access-tokens/1.0/users/{slug},
// expiryDate in epoch milliseconds), finding the token by the id its value
// starts with (base64 of "<id>:<random>", docs/bitbucket-behaviour.md#dc-access-tokens). A list the token may
// not read leaves the expiry unknown.
func (v *Validator) DataCenter(ctx context.Context, base, token, slug string) (Checked, error) {
	resp, err := v.bearer(ctx, base+"/rest/api/latest/application-properties", token)
	if err != nil {
		return Checked{}, err
	}
	resp.Body.Close()
	user := resp.Header.Get("X-AUSERNAME")
	switch {
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode/100 == 2 && user == "":
		return Checked{}, ErrRefused
	case resp.StatusCode/100 != 2:
		return Checked{}, fmt.Errorf("check the token: %s", resp.Status)
	}
	if slug == "" {
		slug = user // the slug need not be the name (docs/bitbucket-behaviour.md#dc-rest): --user says otherwise
	}
	c := Checked{Account: user, Slug: slug}
	c.Expiry, _ = v.dcExpiry(ctx, base, token, slug)
	return c, nil
}

func (v *Validator) dcExpiry(ctx context.Context, base, token, slug string) (time.Time, error) {
	id := dcTokenID(token)
	if id == "" {
		return time.Time{}, errors.New("no id in the token")
	}
	resp, err := v.bearer(ctx, base+"/rest/access-tokens/1.0/users/"+url.PathEscape(slug)+"?limit=1000", token)
	if err != nil {
		return time.Time{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return time.Time{}, fmt.Errorf("list tokens: %s", resp.Status)
	}
	var page struct {
		Values []struct {
			ID         json.RawMessage `json:"id"`
			ExpiryDate int64           `json:"expiryDate"`
		} `json:"values"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&page); err != nil {
		return time.Time{}, err
	}
	for _, t := range page.Values {
		if strings.Trim(string(t.ID), `"`) == id && t.ExpiryDate > 0 {
			return time.UnixMilli(t.ExpiryDate).UTC(), nil
		}
	}
	return time.Time{}, errors.New("token not listed or without expiry")
}

// dcTokenID is the id a DC HTTP access token starts with, "" if its value
// is not base64 of "<digits>:..." (docs/bitbucket-behaviour.md#dc-access-tokens).
func dcTokenID(token string) string {
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return ""
	}
	id, _, ok := strings.Cut(string(b), ":")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return ""
	}
	return id
}

func (v *Validator) bearer(ctx context.Context, u, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("check the token: %w", netmsg.Explain(err))
	}
	return resp, nil
}

func redactedURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.Redacted()
}
