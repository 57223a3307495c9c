package cli

import (
	"net/http"
	"time"
)

// client is the providers' HTTP client, built on first use: a get
// answered from the store never needs one. A run is one goroutine.
func (r *run) client() *http.Client {
	if r.http == nil {
		r.http = r.httpClient()
	}
	return r.http
}

// httpClient builds the client the providers use: App.HTTP (or a client with
// the environment's proxy settings) behind a transport that traces every
// request as method, URL without query, status and duration: never a
// header or a body, which is where the secrets are.
func (r *run) httpClient() *http.Client {
	base := r.app.HTTP
	if base == nil {
		base = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	c := *base
	if r.msg.trace != nil {
		rt := c.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		c.Transport = &traceTransport{base: rt, msg: r.msg}
	}
	return &c
}

type traceTransport struct {
	base http.RoundTripper
	msg  *messenger
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	u := *req.URL
	u.RawQuery, u.Fragment, u.User = "", "", nil
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.msg.tracef("http: %s %s: %v (%s)", req.Method, u.String(), err, time.Since(start).Round(time.Millisecond))
		return nil, err
	}
	t.msg.tracef("http: %s %s: %s (%s)", req.Method, u.String(), resp.Status, time.Since(start).Round(time.Millisecond))
	return resp, nil
}
