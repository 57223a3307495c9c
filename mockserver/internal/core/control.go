package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// controlHandler serves the /_mock/ control API (the same on both listeners).
func (c *Core) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_mock/clock", c.handleClockGet)
	mux.HandleFunc("POST /_mock/clock", c.handleClockPost)
	mux.HandleFunc("POST /_mock/faults", c.handleFaultsPost)
	mux.HandleFunc("DELETE /_mock/faults", func(w http.ResponseWriter, r *http.Request) {
		c.ClearFaults()
		JSONReply(w, http.StatusOK, map[string]any{})
	})
	mux.HandleFunc("GET /_mock/requests", c.handleRequestsGet)
	mux.HandleFunc("POST /_mock/requests", c.handleRequestsPost)
	mux.HandleFunc("POST /_mock/revoke", c.handleRevoke)
	if c.cfg.Control != nil {
		c.cfg.Control(mux) // a product's own routes, e.g. /_mock/cloud/refresh
	}
	mux.HandleFunc("POST /_mock/reset", func(w http.ResponseWriter, r *http.Request) {
		c.Reset()
		JSONReply(w, http.StatusOK, map[string]any{})
	})
	mux.HandleFunc("/_mock/", func(w http.ResponseWriter, r *http.Request) {
		JSONReply(w, http.StatusNotFound, map[string]string{"error": "unknown control endpoint " + r.Method + " " + r.URL.Path})
	})
	return mux
}

func (c *Core) handleClockGet(w http.ResponseWriter, r *http.Request) {
	JSONReply(w, http.StatusOK, map[string]string{"now": c.Now().UTC().Format(time.RFC3339)})
}

func (c *Core) handleClockPost(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := DecodeControl(r, &req); err != nil {
		ControlError(w, err)
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 {
		ControlError(w, fmt.Errorf("advance: want a non-negative Go duration such as \"2h\", got %q", req.Advance))
		return
	}
	c.Advance(d)
	c.handleClockGet(w, r)
}

// handleFaultsPost accepts one fault object or an array of them.
func (c *Core) handleFaultsPost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		ControlError(w, err)
		return
	}
	var faults []Fault
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '[' {
		err = json.Unmarshal(t, &faults)
	} else {
		var f Fault
		err = json.Unmarshal(t, &f)
		faults = []Fault{f}
	}
	if err != nil {
		ControlError(w, fmt.Errorf("decode fault: %w", err))
		return
	}
	for _, f := range faults {
		if f.Path == "" {
			ControlError(w, fmt.Errorf("fault needs a path prefix"))
			return
		}
	}
	for _, f := range faults {
		c.AddFault(f)
	}
	JSONReply(w, http.StatusOK, map[string]int{"queued": len(faults)})
}

// handleRequestsGet answers the logged requests as a JSON list (the shape
// callers have always read); the ring's state goes in headers:
// X-Mock-Requests-Dropped (entries pushed out since New or the last reset)
// and X-Mock-Request-Log-Size (how many it keeps).
func (c *Core) handleRequestsGet(w http.ResponseWriter, r *http.Request) {
	entries, dropped := c.RequestLog(r.URL.Query().Get("path"))
	size, _ := c.log.stats()
	w.Header().Set("X-Mock-Requests-Dropped", strconv.FormatInt(dropped, 10))
	w.Header().Set("X-Mock-Request-Log-Size", strconv.Itoa(size))
	JSONReply(w, http.StatusOK, entries)
}

// handleRequestsPost is {"size":N}: keep the newest N requests from now on.
func (c *Core) handleRequestsPost(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Size int `json:"size"`
	}
	if err := DecodeControl(r, &req); err != nil {
		ControlError(w, err)
		return
	}
	if req.Size <= 0 || req.Size > MaxRequestLog {
		ControlError(w, fmt.Errorf("size: want 1 to %d entries, got %d", MaxRequestLog, req.Size))
		return
	}
	c.SetRequestLogSize(req.Size)
	size, dropped := c.log.stats()
	JSONReply(w, http.StatusOK, map[string]int64{"size": int64(size), "dropped": dropped})
}

func (c *Core) handleRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
		All   bool   `json:"all"`
	}
	if err := DecodeControl(r, &req); err != nil {
		ControlError(w, err)
		return
	}
	switch {
	case req.All:
		c.revokeAll()
		JSONReply(w, http.StatusOK, map[string]bool{"revoked": true})
	case req.Token != "":
		if c.revoke(req.Token) {
			JSONReply(w, http.StatusOK, map[string]bool{"revoked": true})
			return
		}
		JSONReply(w, http.StatusNotFound, map[string]bool{"revoked": false})
	default:
		ControlError(w, fmt.Errorf("revoke: want {\"token\":\"...\"} or {\"all\":true}"))
	}
}

// DecodeControl decodes a control request's JSON body into v; unknown
// fields are an error.
func DecodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode request: %w", err)
	}
	return nil
}

// ControlError answers 400 with {"error": err}.
func ControlError(w http.ResponseWriter, err error) {
	JSONReply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

// JSONReply writes v as the JSON body with the given status.
func JSONReply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
