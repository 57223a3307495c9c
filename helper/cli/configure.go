package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

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
