package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
	"github.com/bbcred/git-credential-bitbucket/helper/static"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// checkToken asks the server whether it takes rec's access token, with
// the cheapest authenticated REST call of the product: Cloud GET
// /2.0/user as Bearer (a 403 is a token accepted without the account
// scope, docs/bitbucket-behaviour.md#cloud-user), Data Center GET
// /rest/api/latest/application-properties as Bearer, the user named by
// X-AUSERNAME (an answer without it is anonymous: the token was not
// taken, docs/bitbucket-behaviour.md#dc-anonymous-access). It returns a
// StatusAccess.Check value and a detail.
func (r *run) checkToken(ctx context.Context, t *target, rec *tokenstore.Record) (string, string) {
	switch {
	case rec.AccessToken == "":
		return "skipped", "no access token stored"
	case accessState(rec, r.now()) == "expired":
		return "skipped", "expired: not sent"
	case rec.TokenKind == static.KindAPIToken:
		return "skipped", "an Atlassian API token is checked only with your account e-mail, which the helper does not keep"
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	v := &static.Validator{HTTP: r.client()}
	var err error
	var got static.Checked
	if t.kind == grant.KindCloud {
		api, aerr := staticAPIBase(t.remote, t.settings.APIURL)
		if aerr != nil {
			return "failed", aerr.Error()
		}
		got, err = v.Cloud(ctx, api, static.KindAccessToken, rec.AccessToken, "")
	} else {
		base, berr := datacenter.BaseURL(t.remote, t.settings)
		if berr != nil {
			return "failed", berr.Error()
		}
		slug := rec.MintedTokenUser
		if slug == "" {
			slug = rec.GitUsername
		}
		got, err = v.DataCenter(ctx, base.String(), rec.AccessToken, slug)
	}
	var unreachable *netmsg.Error
	switch {
	case errors.Is(err, static.ErrRefused):
		return "rejected", "the server refused the token (HTTP 401 or an anonymous answer)"
	case errors.As(netmsg.Explain(err), &unreachable):
		return "unreachable", unreachable.Error()
	case err != nil:
		return "failed", oneLine(err.Error())
	case got.Account != "":
		return "accepted", fmt.Sprintf("the server took it as %s", got.Account)
	}
	return "accepted", "the server took it"
}
