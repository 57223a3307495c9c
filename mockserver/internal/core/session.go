package core

import (
	"fmt"
	"net/http"
)

// SessionUser is who is signed in on the consent pages: the user POST
// /_mock/session named, else def (the side's fixture session_user).
func (c *Core) SessionUser(def string) string {
	if u := c.session.Load(); u != nil && *u != "" {
		return *u
	}
	return def
}

// handleSession is POST /_mock/session {"user":"bob"}: from now on bob is
// signed in on both sides' consent pages, as when a person switches
// accounts in the browser; {"user":""} goes back to the fixtures. The user
// must exist on at least one side. Reset forgets it.
func (c *Core) handleSession(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if err := DecodeControl(r, &req); err != nil {
		ControlError(w, err)
		return
	}
	if req.User != "" {
		known := false
		for _, s := range c.sides() {
			known = known || s.HasUser(req.User)
		}
		if !known {
			ControlError(w, fmt.Errorf("session: no user %q in the fixtures", req.User))
			return
		}
	}
	c.session.Store(&req.User)
	JSONReply(w, http.StatusOK, map[string]string{"user": c.SessionUser("")})
}
