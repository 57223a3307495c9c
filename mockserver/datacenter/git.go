package datacenter

// Git over smart HTTP under {base}/scm/{project}/{repo}.git (docs/bitbucket-behaviour.md#dc-git, docs/bitbucket-behaviour.md#git-http).

import (
	"net/http"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// srvGitChallenge is DC's Basic challenge; GCM and GitHub Desktop key on
// the realm string (docs/bitbucket-behaviour.md#git-challenge, docs/bitbucket-behaviour.md#dc-git).
const srvGitChallenge = `Basic realm="Atlassian Bitbucket"`

// handleGit serves {base}/scm/{project}/{repo}.git/{rest...}: personal HTTP
// access tokens (Basic with the owner's name, or Bearer), DC OAuth 2 access
// tokens (Basic with any name, or Bearer), fixture passwords. Fetch needs
// read, push needs write, both on the user's project permission capped by
// the credential; public repositories are readable anonymously when
// anonymous access is on.
func (s *State) handleGit(w http.ResponseWriter, r *http.Request) {
	slug, ok := strings.CutSuffix(r.PathValue("repo"), ".git")
	rp := s.repos[strings.ToUpper(r.PathValue("project"))+"/"+slug]
	if !ok || rp == nil {
		http.Error(w, "Repository not found", http.StatusNotFound)
		return
	}
	rest := "/" + r.PathValue("rest")
	push := rest == "/git-receive-pack" ||
		(rest == "/info/refs" && r.URL.Query().Get("service") == "git-receive-pack")
	need := permRead
	if push {
		need = permWrite
	}
	challenge := func(msg string) {
		w.Header().Set("WWW-Authenticate", srvGitChallenge)
		http.Error(w, msg, http.StatusUnauthorized)
	}
	p, fail := s.authenticate(r)
	if fail != nil {
		if !(fail.bearer && !push && s.f.AnonymousAccess && rp.project.public) {
			if fail.oauth != nil {
				core.Annotate(r, "oauth1", fail.client, "")
			}
			challenge("Authentication failed")
			return
		}
		p = nil // DC ignores the unusable token on a public repository (docs/bitbucket-behaviour.md#dc-anonymous-access)
	}
	s.setIdentity(w, r, p)
	if lvl := s.repoLevel(p, rp); lvl < need {
		if p == nil || p.user == nil {
			challenge("Authentication required")
			return
		}
		http.Error(w, "You are not permitted to "+map[bool]string{false: "read", true: "write to"}[push]+" this repository", http.StatusForbidden)
		return
	}
	dir := s.repoDir(rp)
	if err := s.m.EnsureRepo(dir); err != nil {
		http.Error(w, "repository unavailable", http.StatusInternalServerError)
		return
	}
	user := ""
	if p != nil && p.user != nil {
		user = p.user.Name
	}
	s.m.ServeGit(w, r, dir, rest, user)
}
