package mockserver

import (
	"fmt"
	"net/http"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// handleSession is POST /_mock/session {"user":"bob"}: from now on bob is
// signed in on both sides' consent pages, as when a person switches
// accounts in the browser; {"user":""} goes back to the fixtures. The user
// must exist on at least one side. Reset forgets it.
func (m *Mock) handleSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if err := core.DecodeControl(r, &req); err != nil {
		core.ControlError(w, err)
		return
	}
	if req.User != "" {
		m.mu.Lock()
		cs, ss := m.cloud, m.server
		m.mu.Unlock()
		if !cs.HasUser(req.User) && !ss.HasUser(req.User) {
			core.ControlError(w, fmt.Errorf("session: no user %q in the fixtures", req.User))
			return
		}
	}
	m.core.SetSessionUser(req.User)
	core.JSONReply(w, http.StatusOK, map[string]string{"user": m.core.SessionUser("")})
}
