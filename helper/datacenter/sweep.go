package datacenter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Minted tokens never leak untracked (issue 10 point 10): a SIGKILL
// between minting and saving leaves a live HTTP access token that no
// record holds. Each minted token is named
//
//	git-credential-bitbucket <host> <date> [<tag>]
//
// where the tag is a hash of this machine, the base URL and the git
// username the record is kept for: the tokens with this name and tag
// belong to one store record, which tracks at most one of them. On the
// next mint and on logout the user's tokens are listed (docs/bitbucket-behaviour.md#dc-access-tokens) and the
// ones with our tag that the record does not track are deleted. Tokens
// made by hand, by another machine or for another record are never
// touched.

const tokenNamePrefix = "git-credential-bitbucket "

// maxSweepPages bounds the listing (100 tokens a page).
const maxSweepPages = 10

// tokenTag identifies the record minted tokens belong to.
func (c *call) tokenTag() string {
	machine := c.p.Machine
	if machine == "" {
		machine, _ = os.Hostname()
	}
	sum := sha256.Sum256([]byte(machine + "\x00" + redactURL(c.base) + "\x00" + c.username))
	return hex.EncodeToString(sum[:6])
}

// tokenName is the name a minted token is created with.
func (c *call) tokenName(now time.Time) string {
	return fmt.Sprintf("%s%s %s [%s]", tokenNamePrefix, c.base.Host, now.UTC().Format("2006-01-02T15:04Z"), c.tokenTag())
}

// ours reports whether a listed token name is one tokenName made for
// this record.
func (c *call) ours(name string) bool {
	return strings.HasPrefix(name, tokenNamePrefix+c.base.Host+" ") && strings.HasSuffix(name, " ["+c.tokenTag()+"]")
}

// listedToken is one entry of GET /rest/access-tokens/1.0/users/{slug}.
type listedToken struct {
	ID   json.RawMessage `json:"id"`
	Name string          `json:"name"`
}

// listTokens returns slug's HTTP access tokens (without values), following
// DC's paging (docs/bitbucket-behaviour.md#dc-access-tokens) for at most maxSweepPages pages.
func (cl *oauth1Client) listTokens(ctx context.Context, slug string) ([]listedToken, error) {
	const op = "list the HTTP access tokens"
	if err := checkSlug(slug); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var all []listedToken
	start := 0
	for range maxSweepPages {
		var page struct {
			Values        []listedToken `json:"values"`
			IsLastPage    bool          `json:"isLastPage"`
			NextPageStart *int          `json:"nextPageStart"`
		}
		u := endpoint(cl.c.base, "rest", "access-tokens", "1.0", "users", slug)
		u.RawQuery = "limit=100&start=" + strconv.Itoa(start)
		_, err := cl.c.sendJSON(ctx, op, cl.leg, func() (*http.Request, error) {
			return cl.newRequest(ctx, http.MethodGet, u, nil, "")
		}, &page)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Values...)
		if page.IsLastPage || page.NextPageStart == nil || *page.NextPageStart <= start {
			return all, nil
		}
		start = *page.NextPageStart
	}
	return all, nil
}

// sweep deletes slug's tokens named for this record except those in keep
// (the one the record tracks, and the one it replaces, which mint deletes
// itself); best effort, traced.
func (c *call) sweep(ctx context.Context, cl *oauth1Client, slug string, keep ...string) {
	toks, err := cl.listTokens(ctx, slug)
	if err != nil {
		c.tracef("not looking for untracked tokens of %s: %v", slug, err)
		return
	}
	for _, t := range toks {
		id := strings.Trim(string(t.ID), `"`)
		if id == "" || slices.Contains(keep, id) || !c.ours(t.Name) {
			continue
		}
		if err := cl.deleteToken(ctx, slug, id); err != nil {
			c.tracef("could not delete untracked token %s of %s: %v", id, slug, err)
			continue
		}
		c.tracef("deleted untracked token %s of %s", id, slug)
	}
}
