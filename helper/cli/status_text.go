package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/cloud"
)

// statusText renders a StatusReport for people: one header line per
// remote saying whether it is usable (and why not, with the fix), then
// each record's fields.
func (r *run) statusText(rep StatusReport) string {
	var b strings.Builder
	if len(rep.Remotes) == 0 {
		b.WriteString("No Bitbucket remote is configured and no token is stored; run: git-credential-bitbucket configure URL --grant GRANT ...\n")
	}
	for i, sr := range rep.Remotes {
		if i > 0 {
			b.WriteByte('\n')
		}
		what := "not configured"
		if sr.Configured {
			what = fmt.Sprintf("%s, grant %s", orNone(sr.Kind), orNone(sr.Grant))
		}
		if sr.Usable {
			fmt.Fprintf(&b, "%s (%s): usable\n", sr.URL, what)
		} else {
			fmt.Fprintf(&b, "%s (%s): NOT USABLE: %s\n", sr.URL, what, sr.Problem)
		}
		if len(sr.Records) == 0 {
			b.WriteString("  no token stored\n")
		}
		for _, rec := range sr.Records {
			r.recordText(&b, rec)
		}
	}
	return b.String()
}

func (r *run) recordText(b *strings.Builder, s StatusRecord) {
	line := func(label, value string) { fmt.Fprintf(b, "    %-14s %s\n", label+":", value) }
	fmt.Fprintf(b, "  record %s\n", s.Key)
	line("account", orNone(s.Account))
	line("kind", orNone(s.Kind))
	line("grant", orNone(s.Grant))
	line("minted for", orNone(s.MintedFor))
	if s.Stale {
		line("stale", s.StaleReason)
	}
	line("git username", orNone(s.GitUsername))
	line("access token", r.accessText(s.AccessToken))
	if c := s.AccessToken; c.Check != "not-checked" {
		line("server check", strings.TrimSuffix(c.Check+": "+c.CheckDetail, ": "))
	}
	line("scopes", orNone(s.Scopes))
	if s.OAuth1 != nil {
		line("oauth1 token", oauth1Text(s.OAuth1))
		mint := "none"
		if s.OAuth1.MintedTokenID != "" {
			mint = fmt.Sprintf("HTTP access token %s for %s", s.OAuth1.MintedTokenID, orNone(s.OAuth1.MintedTokenUser))
		}
		line("minted token", mint)
	}
	line("refresh token", r.refreshLine(s.RefreshToken))
	line("updated", orUnknown(s.Updated))
}

func (r *run) accessText(a StatusAccess) string {
	switch a.State {
	case "none":
		return "none"
	case "unknown-expiry":
		return "stored, expiry unknown"
	case "expired":
		return "expired at " + a.Expiry
	case "rejected":
		return "REJECTED by the server (it would have expired at " + orUnknown(a.Expiry) + ")"
	}
	exp, _ := time.Parse(time.RFC3339, a.Expiry)
	return fmt.Sprintf("valid until %s (%s left)", a.Expiry, exp.Sub(r.now()).Round(time.Second))
}

// oauth1Text says what an OAuth 1 login holds: the 3-legged access token
// (it stays under the user's "Authorized applications" until revoked
// there), or nothing for the 2-legged grants.
func oauth1Text(o *StatusOAuth1) string {
	if !o.TokenHeld {
		return "none (a 2-legged grant signs each mint with the link's key)"
	}
	if o.TokenExpiry == "" {
		return "held (3-legged login; no expiry given; listed under the user's Authorized applications)"
	}
	return "held (3-legged login) until " + o.TokenExpiry
}

func (r *run) refreshLine(s StatusRefresh) string {
	if !s.Stored {
		return "none"
	}
	out := "stored, last use unknown"
	if used, err := time.Parse(time.RFC3339, s.LastUsed); err == nil {
		out = fmt.Sprintf("stored, last used %s (%s ago)", s.LastUsed, ago(r.now().Sub(used)))
	}
	if refused, err := time.Parse(time.RFC3339, s.RefusedAt); err == nil {
		out += fmt.Sprintf("; refused by Bitbucket at %s, kept, tried again after %s", s.RefusedAt, timeText(refused.Add(cloud.DefaultRefreshCooldown)))
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
