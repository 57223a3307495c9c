// Package redirect keeps credential-bearing requests on the server the
// user named: a client that never follows a redirect (issue 10 point 3).
// Go's client re-sends a request body (the client secret, a refresh
// token) on 307/308, to any host and scheme the Location names.
package redirect

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Error is a redirect the helper refused to follow. From and To carry no
// user info, query or fragment (a signed request's parameters).
type Error struct {
	Status  int
	From    string
	To      string
	Setting string // what to fix, e.g. bitbucket.apiURL
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s redirected (HTTP %d) to %s; requests that carry credentials never follow redirects: point %s at the server itself",
		e.From, e.Status, e.To, e.Setting)
}

// Refuse returns a copy of c (http.DefaultClient when nil) whose requests
// end at the first redirect with an *Error naming setting. The copy keeps
// c's transport and timeout. The refusal is in the transport, so that a
// caller that reads a failed response its own way (x/oauth2 turns any
// non-2xx into a RetrieveError) still gets the *Error; CheckRedirect
// refuses too, should a transport ever be swapped in below.
func Refuse(c *http.Client, setting string) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	out := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = &transport{base: base, setting: setting}
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		e := &Error{To: clean(req.URL), Setting: setting}
		if req.Response != nil {
			e.Status = req.Response.StatusCode
		}
		if len(via) > 0 {
			e.From = clean(via[len(via)-1].URL)
		}
		return e
	}
	return &out
}

// transport turns a redirect answer into an *Error.
type transport struct {
	base    http.RoundTripper
	setting string
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || !isRedirect(resp.StatusCode) {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	to := "(no Location)"
	if loc, lerr := resp.Location(); lerr == nil {
		to = clean(loc)
	}
	return nil, &Error{Status: resp.StatusCode, From: clean(req.URL), To: to, Setting: t.setting}
}

// isRedirect: the statuses Go's client follows.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func clean(u *url.URL) string {
	if u == nil {
		return "(nowhere)"
	}
	v := *u
	v.User, v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment = nil, "", false, "", ""
	return v.String()
}
