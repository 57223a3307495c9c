package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// checkKindForHost refuses a grant of the wrong product for the host:
// bitbucket.org is Cloud and nothing else, and another host is Cloud only
// when --kind cloud says so (a Cloud-compatible server such as the mock).
func checkKindForHost(u *url.URL, grantName, kindFlag, kind string) error {
	if gitconfig.IsCloudHost(u.Host) && kind != grant.KindCloud {
		return fmt.Errorf("--grant %s is a Bitbucket Server/Data Center grant and %s is Bitbucket Cloud: use %s", grantName, u.Host, grantsOf(grant.KindCloud))
	}
	if !gitconfig.IsCloudHost(u.Host) && kind == grant.KindCloud && kindFlag == "" {
		return fmt.Errorf("--grant %s is a Bitbucket Cloud grant and %s is not bitbucket.org: give --kind cloud for a Cloud-compatible server (such as bitbucket-mock), else use %s", grantName, u.Host, grantsOf(grant.KindDataCenter))
	}
	return nil
}

// preflightTarget is the target the settings about to be written make, for
// a check before they are: no git config is read (nor the environment).
func (r *run) preflightTarget(u *url.URL, kind string, settings []configSetting, secret string) (*target, error) {
	values := map[string]string{}
	for _, s := range settings {
		values[s.key] = s.value
	}
	remote := strings.TrimSuffix(u.String(), "/")
	s, err := gitconfig.Parse(remote, values)
	if err != nil {
		return nil, err
	}
	if secret != "" {
		s.ClientSecret = secret // not in a file yet: saved only once checked
	}
	rem, _ := url.Parse(remote)
	t := &target{protocol: u.Scheme, host: u.Host, keyPath: strings.Trim(u.Path, "/"), remote: rem, settings: s,
		kind: kind, timeout: s.Timeout, margin: s.RefreshMargin, provider: r.providers()[kind]}
	if t.timeout <= 0 {
		t.timeout = DefaultTimeout
	}
	if t.margin <= 0 {
		t.margin = DefaultRefreshMargin
	}
	return t, nil
}

// preflight runs the provider's check (auth.Checker) for t with no person
// asked: a token for the grants that need none, the consumer or link for
// the others. ok is false when the provider has no check.
func (r *run) preflight(ctx context.Context, t *target) (rec *tokenstore.Record, ok bool, err error) {
	ch, ok := t.provider.(auth.Checker)
	if !ok {
		return nil, false, nil
	}
	env, closeEnv := r.authEnv(t, obtainRequest{})
	defer closeEnv()
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	rec, err = ch.Preflight(ctx, env)
	if rec != nil {
		r.red.add(rec.Secrets()...)
	}
	return rec, true, err
}

// preflightAccount names the account rec acts for, asked from the provider.
func (r *run) preflightAccount(ctx context.Context, t *target, rec *tokenstore.Record) string {
	env, closeEnv := r.authEnv(t, obtainRequest{})
	defer closeEnv()
	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	if a, err := t.provider.Account(actx, env, rec); err == nil && a != "" {
		return a
	} else if err != nil {
		r.msg.tracef("configure: account: %v", err)
	}
	return orNone(rec.Account)
}

// checkBeforeSave is configure's validation: it says what it checked on
// stdout and returns the token a non-interactive grant got (to keep once
// the config is written), or the error that keeps anything from being saved.
func (r *run) checkBeforeSave(ctx context.Context, u *url.URL, kind, grant string, settings []configSetting, secret string) (*tokenstore.Record, error) {
	t, err := r.preflightTarget(u, kind, settings, secret)
	if err != nil {
		return nil, err
	}
	if t.provider == nil {
		return nil, nil
	}
	rec, ok, err := r.preflight(ctx, t)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, nil
	case rec == nil:
		fmt.Fprintf(r.stdout, "Checked the %s settings with %s: accepted.\n", grant, t.display())
		return nil, nil
	}
	fmt.Fprintf(r.stdout, "Checked: %s gave a token for %s.\n", t.display(), termText(r.red.redact(r.preflightAccount(ctx, t, rec))))
	return rec, nil
}
