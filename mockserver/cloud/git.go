package cloud

import (
	"net/http"
	"path"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// splitGitPath splits /{workspace}/{slug}.git/{rest} into its parts.
func splitGitPath(p string) (ws, slug, rest string, ok bool) {
	i := strings.Index(p, ".git/")
	if i < 0 {
		if !strings.HasSuffix(p, ".git") {
			return "", "", "", false
		}
		i = len(p) - len(".git")
	}
	repo, rest := p[:i], p[i+len(".git"):]
	parts := strings.Split(strings.TrimPrefix(repo, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", "", false
	}
	if rest != "" && path.Clean(rest) != rest {
		return "", "", "", false // no dot segments into the repository
	}
	return parts[0], parts[1], rest, true
}

// isPush reports whether a smart-HTTP request belongs to git-receive-pack.
func isPush(r *http.Request, rest string) bool {
	return rest == "/git-receive-pack" ||
		(rest == "/info/refs" && r.URL.Query().Get("service") == "git-receive-pack")
}

// handleGit serves git over smart HTTP for /{workspace}/{slug}.git/...
// (docs/bitbucket-behaviour.md#cloud-using-tokens, docs/bitbucket-behaviour.md#cloud-401, docs/bitbucket-behaviour.md#git-http): Basic with x-token-auth (or the token owner's
// username) and an access token, or Bearer; `repository` for fetch,
// `repository:write` for push; public repositories are readable
// anonymously; every other credential-less request gets the Basic challenge.
func (s *State) handleGit(w http.ResponseWriter, r *http.Request, ws, slug, rest string) {
	rp := s.repos[ws+"/"+slug]
	push := isPush(r, rest)
	need := "repository"
	if push {
		need = "repository:write"
	}
	creds := presentedCredentials(r)
	creds.git = true
	res := s.authenticate(creds)
	if res.tok == nil {
		if !creds.present && rp != nil && !rp.Private && !push {
			s.m.ServeGit(w, r, s.repoDir(rp), rest, "")
			return
		}
		// No, bad, expired or revoked credentials: the challenge again, so
		// git asks its helpers (and erases what failed).
		w.Header().Set("WWW-Authenticate", cloudRealm)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		if creds.present {
			w.Write([]byte("Invalid username or password\n"))
		}
		return
	}
	core.Annotate(r, "", res.tok.client, res.tok.user)
	if rp == nil || !canRead(res.tok, rp) {
		http.Error(w, "You may not have access to this repository or it no longer exists in this workspace.", http.StatusNotFound)
		return
	}
	if !hasScope(res.tok.scopes, need) || (push && !canAct(res.tok, rp)) {
		http.Error(w, "Your credentials lack one or more required privilege scopes.", http.StatusForbidden)
		return
	}
	s.m.ServeGit(w, r, s.repoDir(rp), rest, res.tok.user)
}
