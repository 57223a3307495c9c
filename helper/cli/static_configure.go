package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"github.com/bbcred/git-credential-bitbucket/helper/static"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// staticFlags are configure's flags for --grant static.
type staticFlags struct {
	kind, tokenKind, email, user, expires, apiURL, authType string
	tokenStdin, appPassword                                 bool
}

// wantsStatic reports whether configure's arguments say --grant static.
func wantsStatic(args []string) bool {
	for i, a := range args {
		if a == "--grant="+grant.Static || a == "-grant="+grant.Static ||
			((a == "--grant" || a == "-grant") && i+1 < len(args) && args[i+1] == grant.Static) {
			return true
		}
	}
	return false
}

// configureStatic is `configure URL --grant static --token-stdin`: it reads
// the token, refuses app passwords, decides the token's kind, checks it
// against the server, writes the git config and keeps the token in the
// token store (never in git config, never printed).
func (r *run) configureStatic(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("configure", flag.ContinueOnError)
	var f staticFlags
	fs.String("grant", "", "")
	fs.StringVar(&f.kind, "kind", "", "")
	fs.StringVar(&f.tokenKind, "token-kind", "", "")
	fs.StringVar(&f.email, "email", "", "")
	fs.StringVar(&f.user, "user", "", "")
	fs.StringVar(&f.expires, "expires", "", "")
	fs.StringVar(&f.apiURL, "api-url", "", "")
	fs.StringVar(&f.authType, "authtype", "", "")
	fs.BoolVar(&f.tokenStdin, "token-stdin", false, "")
	fs.BoolVar(&f.appPassword, "app-password", false, "")
	u, code, ok := r.commandRemote("configure", fs, args, remoteRequired)
	switch {
	case !ok:
		return code
	case !f.tokenStdin:
		return r.usageErr("configure", errors.New("--grant static needs --token-stdin (the token is read from stdin, never from the command line)"))
	case f.authType != "" && f.authType != "basic" && f.authType != "bearer":
		return r.usageErr("configure", fmt.Errorf("--authtype must be basic or bearer, not %s", quote(f.authType)))
	}
	if f.kind == "" {
		f.kind = grant.KindDataCenter
		if gitconfig.IsCloudHost(u.Host) {
			f.kind = grant.KindCloud
		}
	}
	if !slices.Contains(grant.Kinds(), f.kind) {
		return r.usageErr("configure", fmt.Errorf("--kind must be cloud, server or datacenter, not %s", quote(f.kind)))
	}
	if u.Scheme == "http" && !loopback.Is(u.Host) {
		return r.commandErr("configure", fmt.Errorf("refusing to send a token over plain http to %s: use https", remoteDisplay(u.Scheme, u.Host, commandPath(u))))
	}
	if cp, ok := scmContextPath(u.Path); ok && f.kind != grant.KindCloud {
		u.Path, u.RawPath = "/"+cp, ""
	}
	token, err := readSecret(r.stdin)
	if err != nil {
		return r.commandErr("configure", err)
	}
	r.red.add(token)
	if err := static.RefuseAppPassword(token, f.appPassword); err != nil && (f.kind == grant.KindCloud || f.appPassword) {
		return r.commandErr("configure", err)
	}
	kind, err := static.Kind(f.kind, f.tokenKind, token, f.email != "")
	if err != nil {
		return r.usageErr("configure", err)
	}
	if kind == static.KindAPIToken && strings.Contains(f.user, "@") {
		// docs/bitbucket-behaviour.md#cloud-api-tokens: the e-mail as git username gets 401.
		return r.usageErr("configure", errors.New("--user is your Bitbucket username: git refuses API tokens with the e-mail (give the e-mail with --email)"))
	}
	rec, err := r.checkStatic(ctx, u, f, kind, token)
	if err != nil {
		return r.commandErr("configure", err)
	}
	return r.saveStatic(ctx, u, f, rec)
}

// checkStatic asks the server about the token and builds the record to
// keep (without its key and identity, which need the written config).
func (r *run) checkStatic(ctx context.Context, u *url.URL, f staticFlags, kind, token string) (*tokenstore.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	v := &static.Validator{HTTP: r.client()}
	remote := strings.TrimSuffix(u.String(), "/")
	var got static.Checked
	var err error
	if f.kind == grant.KindCloud {
		api, aerr := staticAPIBase(u, f.apiURL)
		if aerr != nil {
			return nil, aerr
		}
		got, err = v.Cloud(ctx, api, kind, token, f.email)
	} else {
		got, err = v.DataCenter(ctx, remote, token, f.user)
	}
	if errors.Is(err, static.ErrRefused) {
		hint := ""
		if f.kind == grant.KindCloud && kind == static.KindAccessToken && f.tokenKind == "" {
			hint = " (checked as a repository, project or workspace access token; for an Atlassian API token add --email ADDRESS)"
		}
		return nil, fmt.Errorf("%s refused the %s%s", remote, kind, hint)
	}
	if err != nil {
		return nil, err
	}
	rec := &tokenstore.Record{Grant: grant.Static, Kind: f.kind, TokenKind: kind, AccessToken: token,
		Account: got.Account, GitUsername: static.GitUsername(kind, f.user), Expiry: got.Expiry}
	if kind == static.KindHTTPToken {
		rec.GitUsername = got.Slug
	}
	if rec.Expiry.IsZero() && f.expires != "" {
		if rec.Expiry, err = static.ParseExpires(f.expires); err != nil {
			return nil, err
		}
	}
	if static.Expired(rec.Expiry, r.now()) {
		return nil, fmt.Errorf("the token expired on %s: create a new one", rec.Expiry.Format("2006-01-02"))
	}
	return rec, nil
}

// staticAPIBase is the Cloud REST base ending in /2.0: api.bitbucket.org
// for bitbucket.org, else the remote's origin, or --api-url.
func staticAPIBase(u *url.URL, apiURL string) (string, error) {
	api := u.Scheme + "://" + u.Host + "/2.0"
	if gitconfig.IsCloudHost(u.Host) {
		api = "https://api.bitbucket.org/2.0"
	}
	if apiURL != "" {
		a, err := url.Parse(apiURL)
		if err != nil || a.Host == "" || (a.Scheme != "https" && !(a.Scheme == "http" && loopback.Is(a.Host))) {
			return "", fmt.Errorf("--api-url %s: want an https URL", quote(apiURL))
		}
		api = strings.TrimSuffix(apiURL, "/")
		if !strings.HasSuffix(api, "/2.0") {
			api += "/2.0"
		}
	}
	return api, nil
}

// saveStatic writes the git config for the remote (replacing its section,
// as configure does for every grant) and then keeps rec in the token store.
func (r *run) saveStatic(ctx context.Context, u *url.URL, f staticFlags, rec *tokenstore.Record) int {
	remote := strings.TrimSuffix(u.String(), "/")
	settings := []configSetting{{"kind", f.kind}, {"grant", grant.Static}}
	for _, s := range []configSetting{{"user", f.user}, {"apiURL", f.apiURL}, {"authtype", f.authType}} {
		if s.value != "" {
			settings = append(settings, s)
		}
	}
	helper, err := r.helperValue()
	if err != nil {
		return r.commandErr("configure", err)
	}
	r.revokeDropped(ctx, u.Scheme, u.Host)
	if err := r.writeRemoteConfig(ctx, u, settings, helper); err != nil {
		return r.commandErr("configure", err)
	}
	r.warnOtherHelpers(ctx, remote, helper)
	if err := r.forgetAccessTokens(u.Scheme, u.Host); err != nil {
		return r.commandErr("configure", err)
	}
	if err := r.keepRecord(ctx, u, rec); err != nil {
		return r.commandErr("configure", err)
	}
	expiry := "no expiry known (give --expires DATE to be warned before it)"
	if !rec.Expiry.IsZero() {
		expiry = "expires " + rec.Expiry.UTC().Format("2006-01-02 15:04 MST")
	}
	fmt.Fprintf(r.stdout, "Configured %s: kind %s, grant static (%s), credential helper %s.\n", remote, f.kind, rec.TokenKind, helper)
	fmt.Fprintf(r.stdout, "Token accepted: account %s, git username %s, %s.\n", orNone(rec.Account), rec.GitUsername, expiry)
	return exitOK
}

// keepRecord stores rec under the remote's key, with the identity the
// slow path will compute from the config just written.
func (r *run) keepRecord(ctx context.Context, u *url.URL, rec *tokenstore.Record) error {
	t, err := r.target(ctx, u)
	if err != nil {
		return err
	}
	st, err := r.openStoreFor(t)
	if err != nil {
		return err
	}
	key := tokenstore.Key{Protocol: t.protocol, Host: t.host, Path: t.keyPath}
	lctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	unlock, err := lockRemote(lctx, st, key)
	if err != nil {
		return err
	}
	defer unlock()
	r.complete(rec, key, t)
	return r.put(st, t, rec)
}
