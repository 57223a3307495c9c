package mockserver

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
func (m *Mock) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_mock/clock", m.handleClockGet)
	mux.HandleFunc("POST /_mock/clock", m.handleClockPost)
	mux.HandleFunc("POST /_mock/faults", m.handleFaultsPost)
	mux.HandleFunc("DELETE /_mock/faults", func(w http.ResponseWriter, r *http.Request) {
		m.ClearFaults()
		jsonReply(w, http.StatusOK, map[string]any{})
	})
	mux.HandleFunc("GET /_mock/requests", m.handleRequestsGet)
	mux.HandleFunc("POST /_mock/requests", m.handleRequestsPost)
	mux.HandleFunc("POST /_mock/revoke", m.handleRevoke)
	mux.HandleFunc("/_mock/cloud/refresh", m.handleCloudRefreshControl) // cloud_control.go
	mux.HandleFunc("POST /_mock/cloud/refresh/token", m.handleCloudRefreshToken)
	mux.HandleFunc("POST /_mock/session", m.handleSession) // session.go
	mux.HandleFunc("POST /_mock/reset", func(w http.ResponseWriter, r *http.Request) {
		m.Reset()
		jsonReply(w, http.StatusOK, map[string]any{})
	})
	mux.HandleFunc("/_mock/", func(w http.ResponseWriter, r *http.Request) {
		jsonReply(w, http.StatusNotFound, map[string]string{"error": "unknown control endpoint " + r.Method + " " + r.URL.Path})
	})
	return mux
}

func (m *Mock) handleClockGet(w http.ResponseWriter, r *http.Request) {
	jsonReply(w, http.StatusOK, map[string]string{"now": m.Now().UTC().Format(time.RFC3339)})
}

func (m *Mock) handleClockPost(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := decodeControl(r, &req); err != nil {
		controlError(w, err)
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 {
		controlError(w, fmt.Errorf("advance: want a non-negative Go duration such as \"2h\", got %q", req.Advance))
		return
	}
	m.Advance(d)
	m.handleClockGet(w, r)
}

// handleFaultsPost accepts one fault object or an array of them.
func (m *Mock) handleFaultsPost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		controlError(w, err)
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
		controlError(w, fmt.Errorf("decode fault: %w", err))
		return
	}
	for _, f := range faults {
		if f.Path == "" {
			controlError(w, fmt.Errorf("fault needs a path prefix"))
			return
		}
	}
	for _, f := range faults {
		m.AddFault(f)
	}
	jsonReply(w, http.StatusOK, map[string]int{"queued": len(faults)})
}

// handleRequestsGet answers the logged requests as a JSON list (the shape
// callers have always read); the ring's state goes in headers:
// X-Mock-Requests-Dropped (entries pushed out since New or the last reset)
// and X-Mock-Request-Log-Size (how many it keeps).
func (m *Mock) handleRequestsGet(w http.ResponseWriter, r *http.Request) {
	entries, dropped := m.RequestLog(r.URL.Query().Get("path"))
	size, _ := m.log.stats()
	w.Header().Set("X-Mock-Requests-Dropped", strconv.FormatInt(dropped, 10))
	w.Header().Set("X-Mock-Request-Log-Size", strconv.Itoa(size))
	jsonReply(w, http.StatusOK, entries)
}

// handleRequestsPost is {"size":N}: keep the newest N requests from now on.
func (m *Mock) handleRequestsPost(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Size int `json:"size"`
	}
	if err := decodeControl(r, &req); err != nil {
		controlError(w, err)
		return
	}
	if req.Size <= 0 || req.Size > MaxRequestLog {
		controlError(w, fmt.Errorf("size: want 1 to %d entries, got %d", MaxRequestLog, req.Size))
		return
	}
	m.SetRequestLogSize(req.Size)
	size, dropped := m.log.stats()
	jsonReply(w, http.StatusOK, map[string]int64{"size": int64(size), "dropped": dropped})
}

func (m *Mock) handleRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
		All   bool   `json:"all"`
	}
	if err := decodeControl(r, &req); err != nil {
		controlError(w, err)
		return
	}
	switch {
	case req.All:
		m.revokeAll()
		jsonReply(w, http.StatusOK, map[string]bool{"revoked": true})
	case req.Token != "":
		if m.revoke(req.Token) {
			jsonReply(w, http.StatusOK, map[string]bool{"revoked": true})
			return
		}
		jsonReply(w, http.StatusNotFound, map[string]bool{"revoked": false})
	default:
		controlError(w, fmt.Errorf("revoke: want {\"token\":\"...\"} or {\"all\":true}"))
	}
}

func decodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode request: %w", err)
	}
	return nil
}

func controlError(w http.ResponseWriter, err error) {
	jsonReply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

// jsonReply writes v as the JSON body with the given status.
func jsonReply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
