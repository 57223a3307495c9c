package cli

import (
	"context"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// identity names who a token is minted for under t's settings: kind,
// grant, and the non-secret identifiers of the consumer and user. The fast
// path does not read git config, so a record keeps serving until it nears
// expiry after a change made with plain `git config`; the slow path
// compares this with the record's and starts over when they differ.
func identity(t *target) string {
	s := t.settings
	var b strings.Builder
	for _, kv := range [][2]string{
		{"kind", t.kind},
		{"grant", s.Grant},
		{"clientId", s.ClientID},
		{"consumerKey", s.ConsumerKey},
		{"user", s.User},
		{"jwtKey", s.JWTKey},
		{"jwtClientKey", s.JWTClientKey},
	} {
		if kv[1] == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(kv[0] + "=" + url.QueryEscape(kv[1]))
	}
	return b.String()
}

// sameIdentity reports whether rec was minted for id (identity(t)). A
// record written before identities were kept is judged by its kind and
// grant.
func sameIdentity(rec *tokenstore.Record, t *target, id string) bool {
	if rec.Identity != "" {
		return rec.Identity == id
	}
	return (rec.Kind == "" || rec.Kind == t.kind) && (rec.Grant == "" || rec.Grant == t.settings.Grant)
}

// revokeWith asks t's provider to revoke what rec holds on the server;
// best effort, traced only.
func (r *run) revokeWith(ctx context.Context, t *target, rec *tokenstore.Record) error {
	env, closeEnv := r.authEnv(t, obtainRequest{username: rec.Key.Username})
	defer closeEnv()
	rctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	err := t.provider.Revoke(rctx, env, rec)
	if err != nil {
		r.msg.tracef("revoke: %v", err)
	}
	return err
}
