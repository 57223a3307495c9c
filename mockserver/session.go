package mockserver

import (
	"fmt"
	"net/http"
)

// sessionUser is who is signed in on the consent pages: the user POST
// /_mock/session named, else def (the side's fixture session_user).
func (m *Mock) sessionUser(def string) string {
	if u := m.session.Load(); u != nil && *u != "" {
		return *u
	}
	return def
}

// handleSession is POST /_mock/session {"user":"bob"}: from now on bob is
// signed in on both sides' consent pages, as when a person switches
// accounts in the browser; {"user":""} goes back to the fixtures. The user
// must exist on at least one side. Reset forgets it.
func (m *Mock) handleSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if err := decodeControl(r, &req); err != nil {
		controlError(w, err)
		return
	}
	if req.User != "" {
		m.mu.Lock()
		cs, ss := m.cloud, m.server
		m.mu.Unlock()
		if cs.users[req.User] == nil && ss.users[req.User] == nil {
			controlError(w, fmt.Errorf("session: no user %q in the fixtures", req.User))
			return
		}
	}
	m.session.Store(&req.User)
	jsonReply(w, http.StatusOK, map[string]string{"user": m.sessionUser("")})
}
