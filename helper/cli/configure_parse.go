package cli

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
)

// configSetting is one bitbucket.<url>.<key> to write.
type configSetting struct{ key, value string }

// configureOptions is a configure command line, parsed and checked: the
// first of configure's three steps (parse, plan, apply).
type configureOptions struct {
	u                *url.URL // the remote: a clone URL cut to its context path
	remote           string   // u without a trailing slash
	grant, kind      string   // kind: as given, else the grant's
	clientID         string
	clientSecretFile string
	clientSecretIn   bool
	consumerKey      string
	privateKeyFile   string
	user             string
	scopes           string
	redirectURL      string
	apiURL           string
	jwtKey           string
	jwtClientKey     string
	jwtSecretIn      bool
	authType         string
	noCheck          bool
}

// parseConfigure parses and checks configure's flags and remote. ok is
// false when it reported the error; code is then the exit status.
func (r *run) parseConfigure(args []string) (o *configureOptions, code int, ok bool) {
	o = &configureOptions{}
	fs := flag.NewFlagSet("configure", flag.ContinueOnError)
	fs.StringVar(&o.grant, "grant", "", "")
	kind := fs.String("kind", "", "")
	fs.StringVar(&o.clientID, "client-id", "", "")
	fs.StringVar(&o.clientSecretFile, "client-secret-file", "", "")
	fs.BoolVar(&o.clientSecretIn, "client-secret-stdin", false, "")
	fs.StringVar(&o.consumerKey, "consumer-key", "", "")
	fs.StringVar(&o.privateKeyFile, "private-key-file", "", "")
	fs.StringVar(&o.user, "user", "", "")
	fs.StringVar(&o.scopes, "scopes", "", "")
	fs.StringVar(&o.redirectURL, "redirect-url", "", "")
	fs.StringVar(&o.apiURL, "api-url", "", "")
	fs.StringVar(&o.jwtKey, "jwt-key", "", "")
	fs.StringVar(&o.jwtClientKey, "jwt-client-key", "", "")
	fs.BoolVar(&o.jwtSecretIn, "jwt-shared-secret-stdin", false, "")
	fs.StringVar(&o.authType, "authtype", "", "")
	fs.BoolVar(&o.noCheck, "no-check", false, "")
	u, code, ok := r.commandRemote("configure", fs, args, remoteRequired)
	if !ok {
		return nil, code, false
	}
	o.u = u
	if err := o.check(*kind); err != nil {
		return nil, r.usageErr("configure", err), false
	}
	if u.Scheme == "http" && !loopback.Is(u.Host) {
		// The same refusal get would make later.
		return nil, r.commandErr("configure", fmt.Errorf("refusing to send a token over plain http to %s: use https", remoteDisplay(u.Scheme, u.Host, commandPath(u)))), false
	}
	if cp, ok := scmContextPath(u.Path); ok && o.kind != grant.KindCloud {
		// A clone URL: the remote is its context path (one token per
		// remote, not per repository).
		u.Path, u.RawPath = "/"+cp, ""
	}
	o.remote = strings.TrimSuffix(u.String(), "/")
	if err := o.checkFlags(); err != nil {
		return nil, r.usageErr("configure", err), false
	}
	return o, exitOK, true
}

// check checks the grant and the kind (given: as on the command line)
// and sets o.kind.
func (o *configureOptions) check(given string) error {
	g, ok := grant.Lookup(o.grant)
	if !ok || !g.Offered {
		if ok {
			return notOfferedErr(g.Name)
		}
		return fmt.Errorf("--grant must be %s", grant.OneOf(grant.Of(grant.KindCloud, grant.KindServer, grant.KindDataCenter, grant.KindAny)))
	}
	k := given
	if k == "" {
		k = g.Kind
	}
	if !slices.Contains(grant.Kinds(), k) {
		return fmt.Errorf("--kind must be cloud, server or datacenter, not %s", quote(k))
	}
	if (k == grant.KindCloud) != (g.Kind == grant.KindCloud) {
		return fmt.Errorf("--grant %s is not a grant of --kind %s (%s)", o.grant, k, grantsOf(k))
	}
	if err := checkKindForHost(o.u, o.grant, given, k); err != nil {
		return err
	}
	if o.grant == grant.OAuth1Impersonate && len(allowedUsers(o.user)) == 0 {
		// The remote URL never chooses whom to impersonate (issue 10, point 2).
		return errors.New("--grant " + grant.OAuth1Impersonate + " needs --user: the user to act for, or a comma-separated list of users allowed in remote URLs")
	}
	o.kind = k
	return nil
}

// checkFlags checks the flags that do not depend on the grant.
func (o *configureOptions) checkFlags() error {
	switch {
	case o.authType != "" && o.authType != "basic" && o.authType != "bearer":
		return fmt.Errorf("--authtype must be basic or bearer, not %s", quote(o.authType))
	case o.clientSecretIn && o.jwtSecretIn:
		return errors.New("only one secret can be read from stdin")
	case (o.clientSecretIn || o.jwtSecretIn) && o.clientSecretFile != "":
		return errors.New("give the secret either in a file or on stdin, not both")
	}
	return nil
}
