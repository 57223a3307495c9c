package cloud

import (
	"net/http"
	"strings"
)

// cloudRealm is the Basic realm of bitbucket.org (docs/bitbucket-behaviour.md#git-challenge, docs/bitbucket-behaviour.md#cloud-401).
const cloudRealm = `Basic realm="Bitbucket.org HTTP"`

// loginFailedText is the plain-text body of a REST 401 for bad Basic
// credentials (docs/bitbucket-behaviour.md#cloud-401, OBS).
const loginFailedText = `Login failed due to incorrect login credentials or method.
For information on authentication methods for Bitbucket Cloud APIs, visit:
    https://developer.atlassian.com/cloud/bitbucket/rest/intro/#authentication
If you are unsure of which login details or login method to use, visit:
    https://support.atlassian.com/bitbucket-cloud/docs/log-into-or-connect-to-bitbucket-cloud/
`

// credentials is what a request presented.
type credentials struct {
	present   bool
	token     string // an access token (Bearer, ?access_token=, or a Basic password)
	basic     bool
	basicUser string
	badScheme bool // an Authorization scheme we do not take
	git       bool // a git request (static tokens take other usernames there)
}

// presentedCredentials reads `Authorization: Bearer`, `Authorization:
// Basic` (username x-token-auth or the token's owner, password the access
// token) or the `access_token` query parameter (docs/bitbucket-behaviour.md#cloud-using-tokens).
func presentedCredentials(r *http.Request) credentials {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			return credentials{present: true, token: strings.TrimSpace(rest)}
		case strings.EqualFold(scheme, "Basic"):
			u, p, ok := r.BasicAuth()
			if !ok {
				return credentials{present: true, badScheme: true}
			}
			return credentials{present: true, basic: true, basicUser: u, token: p}
		default:
			return credentials{present: true, badScheme: true}
		}
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return credentials{present: true, token: t}
	}
	return credentials{}
}

// authResult is the outcome of checking credentials.
type authResult struct {
	tok    *accessToken // nil: anonymous
	status tokenStatus
	// basicFailed: Basic credentials that are not an access token of that
	// user (answered with the plain-text login failure).
	basicFailed bool
}

// authenticate resolves presented credentials against the issued tokens.
func (s *State) authenticate(c credentials) authResult {
	if !c.present {
		return authResult{}
	}
	if c.badScheme || c.token == "" {
		return authResult{basicFailed: true, status: tokenUnknown}
	}
	t, st := s.lookupAccess(c.token)
	if t.static != "" {
		if (c.basic && !staticBasicOK(t, c)) || (!c.basic && !staticBearerOK(t)) {
			return authResult{basicFailed: true, status: tokenUnknown}
		}
	} else if c.basic {
		if st == tokenUnknown || (c.basicUser != "x-token-auth" && c.basicUser != t.user) {
			return authResult{basicFailed: true, status: tokenUnknown}
		}
	}
	if st != tokenValid {
		return authResult{status: st}
	}
	return authResult{tok: &t, status: tokenValid}
}
