package cloud

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
)

// derivedUUID is a stable "{…}" UUID for a name (fixtures may set their own).
func derivedUUID(kind, name string) string {
	h := sha256.Sum256([]byte(kind + ":" + name))
	h[6] = h[6]&0x0f | 0x40 // version 4 layout
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("{%x-%x-%x-%x-%x}", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func repoUUID(r *Repository) string {
	if r.UUID != "" {
		return r.UUID
	}
	return derivedUUID("repository", r.Workspace+"/"+r.Slug)
}

// repoByUUID finds a repository by UUID, with or without braces.
func (s *State) repoByUUID(id string) *Repository {
	id = "{" + strings.Trim(id, "{}") + "}"
	for _, r := range s.repos {
		if strings.EqualFold(repoUUID(r), id) {
			return r
		}
	}
	return nil
}

// workspaceExists: a workspace is known when a repository, a user or a
// Connect installation names it.
func (s *State) workspaceExists(ws string) bool {
	if s.users[ws] != nil {
		return true
	}
	for _, r := range s.repos {
		if r.Workspace == ws {
			return true
		}
	}
	for _, a := range s.apps {
		if a.InstalledFor == ws {
			return true
		}
	}
	return false
}

// canRead says whether tok (nil = anonymous) may read repository r.
// Simplification: every fixture user is a member of every workspace; a
// Connect token acts only in the workspace it is installed for (and in its
// one repository when bitbucket_repository was given); an era-2026 app user
// (client credentials) only in the workspace owning its consumer (docs/bitbucket-behaviour.md#cloud-2026
// says so for personal workspaces; for team workspaces it is our choice,
// UNCONFIRMED).
func canRead(tok *accessToken, r *Repository) bool {
	if !r.Private {
		return true
	}
	return canAct(tok, r)
}

// canAct says whether tok acts as a member for r (write needs this too).
func canAct(tok *accessToken, r *Repository) bool {
	if tok == nil {
		return false
	}
	if tok.static == staticAccessToken && !tok.reaches(r) {
		return false // an access token reaches what it was created for (docs/bitbucket-behaviour.md#cloud-access-tokens)
	}
	if tok.appUser != "" && r.Workspace != tok.appUser {
		return false // an app user reaches only its consumer's workspace (docs/bitbucket-behaviour.md#cloud-2026)
	}
	if tok.connect {
		if r.Workspace != tok.user {
			return false
		}
		if tok.repo != "" && tok.repo != r.Workspace+"/"+r.Slug {
			return false
		}
	}
	return true
}

// workspaceRepos lists the repositories of ws that tok may read, by slug.
func (s *State) workspaceRepos(ws string, tok *accessToken) []*Repository {
	var out []*Repository
	for _, r := range s.repos {
		if r.Workspace == ws && canRead(tok, r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out
}
