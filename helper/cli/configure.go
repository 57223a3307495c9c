package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// configSetting is one bitbucket.<url>.<key> to write.
type configSetting struct{ key, value string }

func (r *run) configure(ctx context.Context, args []string) int {
	if wantsStatic(args) {
		return r.configureStatic(ctx, args) // static_configure.go
	}
	fs := flag.NewFlagSet("configure", flag.ContinueOnError)
	var (
		grantName        = fs.String("grant", "", "")
		kind             = fs.String("kind", "", "")
		clientID         = fs.String("client-id", "", "")
		clientSecretFile = fs.String("client-secret-file", "", "")
		clientSecretIn   = fs.Bool("client-secret-stdin", false, "")
		consumerKey      = fs.String("consumer-key", "", "")
		privateKeyFile   = fs.String("private-key-file", "", "")
		user             = fs.String("user", "", "")
		scopes           = fs.String("scopes", "", "")
		redirectURL      = fs.String("redirect-url", "", "")
		apiURL           = fs.String("api-url", "", "")
		jwtKey           = fs.String("jwt-key", "", "")
		jwtClientKey     = fs.String("jwt-client-key", "", "")
		jwtSecretIn      = fs.Bool("jwt-shared-secret-stdin", false, "")
		authType         = fs.String("authtype", "", "")
		noCheck          = fs.Bool("no-check", false, "")
	)
	pos, err := r.parseArgs(fs, args)
	if err != nil {
		return r.usageErr("configure", err)
	}
	if len(pos) == 0 {
		return r.usageErr("configure", errors.New("the remote URL is required"))
	}
	u, err := parseRemote(pos)
	if err != nil {
		return r.usageErr("configure", err)
	}
	if u.User != nil {
		return r.usageErr("configure", errors.New("the URL must not contain a user name"))
	}
	g, ok := grant.Lookup(*grantName)
	if !ok || !g.Offered {
		if ok {
			return r.usageErr("configure", notOfferedErr(g.Name))
		}
		return r.usageErr("configure", fmt.Errorf("--grant must be %s", grant.OneOf(grant.Of(grant.KindCloud, grant.KindServer, grant.KindDataCenter, grant.KindAny))))
	}
	k := *kind
	if k == "" {
		k = g.Kind
	}
	if !slices.Contains(grant.Kinds(), k) {
		return r.usageErr("configure", fmt.Errorf("--kind must be cloud, server or datacenter, not %s", quote(k)))
	}
	if (k == grant.KindCloud) != (g.Kind == grant.KindCloud) {
		return r.usageErr("configure", fmt.Errorf("--grant %s is not a grant of --kind %s (%s)", *grantName, k, grantsOf(k)))
	}
	if err := checkKindForHost(u, *grantName, *kind, k); err != nil {
		return r.usageErr("configure", err)
	}
	if *grantName == grant.OAuth1Impersonate && len(allowedUsers(*user)) == 0 {
		// The remote URL never chooses whom to impersonate (issue 10, point 2).
		return r.usageErr("configure", errors.New("--grant "+grant.OAuth1Impersonate+" needs --user: the user to act for, or a comma-separated list of users allowed in remote URLs"))
	}
	if u.Scheme == "http" && !loopback.Is(u.Host) {
		// The same refusal get would make later.
		return r.commandErr("configure", fmt.Errorf("refusing to send a token over plain http to %s: use https", remoteDisplay(u.Scheme, u.Host, commandPath(u))))
	}
	if cp, ok := scmContextPath(u.Path); ok && k != grant.KindCloud {
		// A clone URL: the remote is its context path (one token per
		// remote, not per repository).
		u.Path, u.RawPath = "/"+cp, ""
	}
	remote := strings.TrimSuffix(u.String(), "/")
	if *authType != "" && *authType != "basic" && *authType != "bearer" {
		return r.usageErr("configure", fmt.Errorf("--authtype must be basic or bearer, not %s", quote(*authType)))
	}
	if *clientSecretIn && *jwtSecretIn {
		return r.usageErr("configure", errors.New("only one secret can be read from stdin"))
	}
	if (*clientSecretIn || *jwtSecretIn) && *clientSecretFile != "" {
		return r.usageErr("configure", errors.New("give the secret either in a file or on stdin, not both"))
	}

	settings := []configSetting{{"kind", k}, {"grant", *grantName}}
	add := func(key, value string) {
		if value != "" {
			settings = append(settings, configSetting{key, value})
		}
	}
	add("clientId", *clientID)
	add("consumerKey", *consumerKey)
	add("user", *user)
	add("scopes", *scopes)
	add("redirectURL", *redirectURL)
	add("apiURL", *apiURL)
	add("jwtKey", *jwtKey)
	add("jwtClientKey", *jwtClientKey)
	add("authtype", *authType)
	if *privateKeyFile != "" {
		p, err := r.absFile(*privateKeyFile)
		if err != nil {
			return r.commandErr("configure", err)
		}
		if err := datacenter.CheckPrivateKeyFile(p); err != nil {
			return r.commandErr("configure", err)
		}
		add("privateKeyFile", p)
	}
	secretFile, secret, secretName := "", "", ""
	switch {
	case *clientSecretFile != "":
		p, err := r.absFile(*clientSecretFile)
		if err != nil {
			return r.commandErr("configure", err)
		}
		if _, err := gitconfig.ReadSecretFile(p); err != nil {
			return r.commandErr("configure", err)
		}
		secretFile = p
	case *clientSecretIn || *jwtSecretIn:
		// The Connect shared secret is the jwt grant's client secret: it
		// goes to clientSecretFile too (design has no separate file key).
		if secret, err = r.readSecretIn(); err != nil {
			return r.commandErr("configure", err)
		}
		r.red.add(secret)
		secretName = "client-secret"
		if *jwtSecretIn {
			secretName = "jwt-shared-secret"
		}
	}
	add("clientSecretFile", secretFile)
	var checked *tokenstore.Record
	if !*noCheck {
		// Nothing is saved unless the server accepts the settings.
		if checked, err = r.checkBeforeSave(ctx, u, k, *grantName, settings, secret); err != nil {
			return r.commandErr("configure", err)
		}
	}
	if secret != "" {
		if secretFile, err = r.writeSecretFile(u.Host+u.Path, secretName, secret); err != nil {
			return r.commandErr("configure", err)
		}
		settings = append(settings, configSetting{"clientSecretFile", secretFile})
	}

	helper, err := r.helperValue()
	if err != nil {
		return r.commandErr("configure", err)
	}
	// The access tokens stored for the host are dropped below: revoke them
	// first, while the config still describes how they were obtained (an
	// HTTP access token minted over OAuth 1 can only be deleted with the
	// old consumer key and private key).
	r.revokeDropped(ctx, u.Scheme, u.Host)
	if err := r.writeRemoteConfig(ctx, u, settings, helper); err != nil {
		return r.commandErr("configure", err)
	}
	r.warnOtherHelpers(ctx, remote, helper)
	if err := r.forgetAccessTokens(u.Scheme, u.Host); err != nil {
		return r.commandErr("configure", err)
	}
	if checked != nil {
		// The token the check got serves the first git command.
		if err := r.keepRecord(ctx, u, checked); err != nil {
			r.msg.tracef("configure: keeping the checked token: %v", err)
		}
	}
	fmt.Fprintf(r.stdout, "Configured %s: kind %s, grant %s, credential helper %s.\n", remote, k, *grantName, helper)
	if g.Interactive {
		fmt.Fprintf(r.stdout, "Log in now with: git-credential-bitbucket login %s\n", remote)
	}
	return exitOK
}

// helperValue is what credential.<url>.helper should say: the fast front
// (git-credential-bitbucket-fast, which answers get from the store and
// hands the rest to this binary) when it is installed beside this binary,
// else this binary; "bitbucket-fast" or "bitbucket" when git would find
// that very file on PATH, else its absolute path.
func (r *run) helperValue() (string, error) {
	exe, err := r.executable()
	if err != nil {
		return "", fmt.Errorf("find this program: %w", err)
	}
	if abs, err := filepath.Abs(exe); err == nil {
		exe = abs
	}
	name := "bitbucket"
	if front := filepath.Join(filepath.Dir(exe), "git-credential-bitbucket-fast"+filepath.Ext(exe)); isExecutable(front) {
		exe, name = front, "bitbucket-fast"
	}
	if p, err := r.lookPath("git-credential-" + name); err == nil {
		a, errA := os.Stat(p)
		b, errB := os.Stat(exe)
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return name, nil
		}
	}
	if strings.ContainsAny(exe, " \t'\"\\$`") {
		return "", fmt.Errorf("cannot name %s in credential.helper (it contains characters the shell would interpret): put git-credential-bitbucket on PATH", quote(exe))
	}
	return exe, nil
}

// isExecutable reports whether p is a regular file someone may execute
// (on Windows, any regular file).
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0)
}

func (r *run) gitConfig(ctx context.Context, args ...string) error {
	_, err := r.gitOutput(ctx, append([]string{"config"}, args...)...)
	return err
}

// gitOutput runs git with args and returns its stdout; an exit status 1
// from `git config --get*` (key absent) is an error the caller may expect.
func (r *run) gitOutput(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.git(), args...)
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args[:min(len(args), 3)], " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// revokeDropped revokes, best effort and as logout does, the access tokens
// stored for protocol://host that forgetAccessTokens is about to drop.
func (r *run) revokeDropped(ctx context.Context, protocol, host string) {
	st, err := r.tokenStore()
	if err != nil {
		return
	}
	recs, err := st.List()
	if err != nil {
		r.msg.tracef("configure: %v", err)
		return
	}
	for _, rec := range recs {
		if rec.Key.Protocol != protocol || rec.Key.Host != host || rec.AccessToken == "" {
			continue
		}
		r.underRemoteLock(ctx, st, rec.Key, func(cur *tokenstore.Record) *tokenstore.Record {
			r.red.add(cur.Secrets()...)
			r.revoke(ctx, cur)
			return nil
		})
	}
}

// underRemoteLock runs fn on the record stored under k, read afresh under
// the remote's lock; a record fn returns is saved before the lock goes.
// Best effort: failures are traced.
func (r *run) underRemoteLock(ctx context.Context, st *tokenstore.Store, k tokenstore.Key, fn func(*tokenstore.Record) *tokenstore.Record) error {
	lctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	unlock, err := lockRemote(lctx, st, k)
	cancel()
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := st.Get(k)
	if err != nil || cur == nil {
		return err
	}
	if n := fn(cur); n != nil {
		return st.Put(n)
	}
	return nil
}

// forgetAccessTokens drops the stored access tokens for a reconfigured
// remote, so that the new settings (authtype, scopes, margin) apply to the
// next get instead of after the next refresh; refresh tokens stay.
func (r *run) forgetAccessTokens(protocol, host string) error {
	st, err := r.tokenStore()
	if err != nil {
		return err
	}
	recs, err := st.List()
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Key.Protocol != protocol || rec.Key.Host != host || rec.AccessToken == "" {
			continue
		}
		// Rewrite the record as stored now, under the lock: a get may have
		// rotated its refresh token since the list was read.
		err := r.underRemoteLock(context.Background(), st, rec.Key, func(cur *tokenstore.Record) *tokenstore.Record {
			n := *cur
			n.AccessToken, n.Expiry, n.Updated = "", time.Time{}, time.Time{}
			return &n
		})
		if err != nil {
			return err
		}
	}
	return nil
}
