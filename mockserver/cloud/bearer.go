package cloud

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// refuseNonBearer answers an era-2026 REST request that carries an access
// token anywhere but `Authorization: Bearer` (docs/bitbucket-behaviour.md#cloud-2026: "no ?access_token=
// query parameter, no form body"; Basic with an OAuth token on REST too).
// It returns true when it answered. Git over HTTPS is not affected
// (x-token-auth + token as the Basic password, docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-using-tokens).
//
// The answers are our choice (UNCONFIRMED): Basic gets the plain-text login
// failure of docs/bitbucket-behaviour.md#cloud-401 (Cloud's answer to Basic credentials it does not
// take); a query or form token gets 401 with the OAuth realm and the
// envelope "Token is invalid, expired, or not supported for this endpoint."
// (docs/bitbucket-behaviour.md#cloud-api-tokens), even on a resource an anonymous caller may read, so a client
// still using the parameter learns it at once instead of seeing public data.
func (s *State) refuseNonBearer(w http.ResponseWriter, r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return false
	case strings.EqualFold(scheme, "Basic") && s.basicAPIToken(r):
		return false // API tokens are Basic with the e-mail (docs/bitbucket-behaviour.md#cloud-api-tokens)
	case strings.EqualFold(scheme, "Basic"):
		w.Header().Set("WWW-Authenticate", cloudRealm)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(loginFailedText))
		return true
	case r.URL.Query().Has("access_token") || formHasAccessToken(r):
		w.Header().Set("WWW-Authenticate", `OAuth realm="Bitbucket.org HTTP"`)
		cloudRESTError(w, http.StatusUnauthorized, "Token is invalid, expired, or not supported for this endpoint.", nil)
		return true
	}
	return false
}

// formHasAccessToken reports whether a form-encoded body (at most 1 MiB is
// read) has an access_token field.
func formHasAccessToken(r *http.Request) bool {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return false
	}
	v, err := url.ParseQuery(string(b))
	return err == nil && v.Has("access_token")
}

// basicAPIToken reports whether the Basic password is an API token.
func (s *State) basicAPIToken(r *http.Request) bool {
	_, p, ok := r.BasicAuth()
	if !ok {
		return false
	}
	t, _ := s.lookupAccess(p)
	return t.static == staticAPIToken
}
