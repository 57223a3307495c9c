package core

import (
	"bytes"
	"net/http"
	"strconv"
)

// BufferedResponse holds a handler's status and body until flush, so a
// handler that answers while holding a state lock does no socket I/O under
// it (issue 15: a slow client must not stall every other request). Headers
// go straight to the real writer's map: nothing is sent before flush.
type BufferedResponse struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
}

// BufferResponse buffers w's status and body until Flush.
func BufferResponse(w http.ResponseWriter) *BufferedResponse {
	b := &BufferedResponse{w: w}
	b.body.Grow(4096) // a token answer, era 2026 included, in one allocation
	return b
}

func (b *BufferedResponse) Header() http.Header { return b.w.Header() }

func (b *BufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *BufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// Flush sends what the handler wrote; call it with no lock held. The
// length is known, so a body over net/http's 2 KB chunking threshold (an
// era-2026 token answer) goes out in one piece, not chunked.
func (b *BufferedResponse) Flush() {
	if b.status == 0 {
		return
	}
	b.w.Header().Set("Content-Length", strconv.Itoa(b.body.Len()))
	b.w.WriteHeader(b.status)
	b.w.Write(b.body.Bytes())
}
