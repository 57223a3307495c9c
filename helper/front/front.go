// Package front is the fast front of git-credential-bitbucket
// (cmd/git-credential-bitbucket-fast): the program git runs on every
// fetch when configure finds it installed. It answers git's get from the
// token store alone (package fastpath, the same decision the full
// helper's get makes first) and hands everything else to the full
// git-credential-bitbucket beside it, with the request it read: a token
// that needs refreshing, a login, a keyring-kept record, a trace, any
// other command. It links only gitcred, tokenstore, fastpath and grant,
// so that it starts about as fast as git's own credential-store (make
// bench; the full binary pages in net/http, crypto/tls and D-Bus).
package front

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

const envPrefix = "GIT_CREDENTIAL_BITBUCKET_"

// Delegate runs the full helper with args (without the program name). A
// nil request means the front read nothing: the full helper reads the
// front's stdin itself; otherwise request is what the front read, given
// to the full helper as its stdin. It returns the exit code (on Unix it
// does not return: the full helper replaces the process).
type Delegate func(args []string, request []byte) int

// Run is the front: args without the program name. now is the clock.
func Run(args []string, stdin io.Reader, stdout io.Writer, env []string, now time.Time, full Delegate) int {
	if len(args) != 1 || args[0] != "get" || !plainEnv(env) {
		return full(args, nil)
	}
	request, err := io.ReadAll(io.LimitReader(stdin, gitcred.MaxRequestSize+1))
	if err != nil {
		return full(args, request)
	}
	rec, req := answer(request, env, now)
	if rec == nil {
		return full(args, request)
	}
	authType := rec.AuthType
	if v := lookupEnv(env, envPrefix+"AUTHTYPE"); v != "" {
		authType = strings.ToLower(v)
	}
	if err := gitcred.Write(stdout, req, fastpath.Answer(req, rec, authType)); err != nil {
		// The full helper writes the same answer, or says why it cannot.
		return full(args, request)
	}
	return 0
}

// answer is the stored record that answers request, or nil.
func answer(request []byte, env []string, now time.Time) (*tokenstore.Record, *gitcred.Request) {
	req, err := gitcred.Read(bytes.NewReader(request))
	if err != nil {
		return nil, nil // the full helper reports it
	}
	dir, err := tokenstore.DefaultDir(env)
	if err != nil {
		return nil, nil
	}
	// No Keyring: a record that keeps its secrets there fails List, and
	// the full helper, which links the keyring, answers it.
	recs, err := tokenstore.At(dir).List()
	if err != nil {
		return nil, nil
	}
	margin, _ := fastpath.EnvDuration(lookupEnv(env, envPrefix+"REFRESH_MARGIN"))
	res := fastpath.Decide(recs, fastpath.Request{Protocol: req.Protocol, Host: req.Host, Path: req.Path, Username: req.Username}, now, margin)
	if res.Record == nil || res.StaticWarn {
		return nil, nil // the warning, and recording it, are the full helper's
	}
	return res.Record, req
}

// plainEnv reports whether nothing in env asks for what only the full
// helper does: a trace, or the test clock (GIT_CREDENTIAL_BITBUCKET_TRACE,
// _CLOCK_OFFSET).
func plainEnv(env []string) bool {
	switch strings.ToLower(strings.TrimSpace(lookupEnv(env, envPrefix+"TRACE"))) {
	case "", "0", "false", "no", "off":
	default:
		return false
	}
	return lookupEnv(env, envPrefix+"CLOCK_OFFSET") == ""
}

// lookupEnv finds key in env; the last entry wins, as in os/exec.
func lookupEnv(env []string, key string) string {
	val := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val = v
		}
	}
	return val
}
