package cli

import (
	"context"
	"fmt"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

func (r *run) configure(ctx context.Context, args []string) int {
	if wantsStatic(args) {
		return r.configureStatic(ctx, args) // static_configure.go
	}
	o, code, ok := r.parseConfigure(args)
	if !ok {
		return code
	}
	p, err := r.planConfigure(o)
	if err == nil {
		err = r.applyConfigure(ctx, p)
	}
	if err != nil {
		return r.commandErr("configure", err)
	}
	return exitOK
}

// applyConfigure carries out p: the server's check, then the secret file,
// the git config and the store, and the report. Nothing is saved unless
// the check passes.
func (r *run) applyConfigure(ctx context.Context, p *configurePlan) error {
	o, u := p.o, p.o.u
	settings := p.settings
	var checked *tokenstore.Record
	if p.check {
		var err error
		if checked, err = r.checkBeforeSave(ctx, u, o.kind, o.grant, settings, p.secret); err != nil {
			return err
		}
	}
	if p.secret != "" {
		secretFile, err := r.writeSecretFile(u.Host+u.Path, p.secretName, p.secret)
		if err != nil {
			return err
		}
		settings = append(settings, configSetting{"clientSecretFile", secretFile})
	}
	helper, err := r.helperValue()
	if err != nil {
		return err
	}
	// The access tokens stored for the host are dropped below: revoke them
	// first, while the config still describes how they were obtained (an
	// HTTP access token minted over OAuth 1 can only be deleted with the
	// old consumer key and private key).
	r.revokeDropped(ctx, u.Scheme, u.Host)
	if err := r.writeRemoteConfig(ctx, u, settings, helper); err != nil {
		return err
	}
	r.warnOtherHelpers(ctx, o.remote, helper)
	if err := r.forgetAccessTokens(u.Scheme, u.Host); err != nil {
		return err
	}
	if checked != nil {
		// The token the check got serves the first git command.
		if err := r.keepRecord(ctx, u, checked); err != nil {
			r.msg.tracef("configure: keeping the checked token: %v", err)
		}
	}
	fmt.Fprintf(r.stdout, "Configured %s: kind %s, grant %s, credential helper %s.\n", o.remote, o.kind, o.grant, helper)
	if grant.IsInteractive(o.grant) {
		fmt.Fprintf(r.stdout, "Log in now with: git-credential-bitbucket login %s\n", o.remote)
	}
	return nil
}
