package mockserver

import (
	"net/http"
	"strings"
)

// oauthProblem is an OAuth 1 error as net.oauth's OAuthProblemException
// carries it: the oauth_problem value and companion parameters
// (oauth_acceptable_timestamps, oauth_parameters_absent, ...).
type oauthProblem struct {
	problem string
	extra   []oauthParam
}

// problem builds an oauthProblem; kv are companion name, value pairs.
func problem(name string, kv ...string) *oauthProblem {
	p := &oauthProblem{problem: name}
	for i := 0; i+1 < len(kv); i += 2 {
		p.extra = append(p.extra, oauthParam{kv[i], kv[i+1]})
	}
	return p
}

func (p *oauthProblem) Error() string { return "oauth_problem=" + p.problem }

// status is net.oauth's OAuth.Problems.TO_HTTP_CODE (docs/bitbucket-behaviour.md#dc-oauth1-problems); problems it
// does not list are 403.
func (p *oauthProblem) status() int {
	switch p.problem {
	case "version_rejected", "parameter_absent", "parameter_rejected", "timestamp_refused",
		"signature_method_rejected":
		return http.StatusBadRequest
	case "nonce_used", "token_used", "token_expired", "token_revoked", "token_rejected",
		"token_not_authorized", "signature_invalid", "consumer_key_unknown", "consumer_key_rejected",
		"additional_authorization_required", "permission_unknown", "permission_denied":
		return http.StatusUnauthorized
	case "user_refused", "consumer_key_refused":
		return http.StatusServiceUnavailable
	}
	return http.StatusForbidden
}

// params is oauth_problem followed by the companions.
func (p *oauthProblem) params() []oauthParam {
	return append([]oauthParam{{"oauth_problem", p.problem}}, p.extra...)
}

// writeOAuthProblem answers as OAuthServlet.handleException does:
// WWW-Authenticate: OAuth realm="<percent-encoded base URL>", oauth_problem="…", …
// and the same parameters as a form-encoded body.
func writeOAuthProblem(w http.ResponseWriter, realm string, p *oauthProblem) {
	w.Header().Set("WWW-Authenticate", oauthChallenge(realm, p.params()))
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	w.WriteHeader(p.status())
	_, _ = w.Write([]byte(encodeOAuthForm(p.params())))
}

// oauthChallenge formats an OAuth WWW-Authenticate value; realm and the
// parameter values are percent-encoded (docs/bitbucket-behaviour.md#oauth1-realm).
func oauthChallenge(realm string, params []oauthParam) string {
	parts := []string{`realm="` + percentEncode(realm) + `"`}
	for _, p := range params {
		parts = append(parts, percentEncode(p.name)+`="`+percentEncode(p.value)+`"`)
	}
	return "OAuth " + strings.Join(parts, ", ")
}

// encodeOAuthForm is OAuth's form encoding (RFC 5849 §3.6 percent-encoding),
// in the given order: name=value&name=value.
func encodeOAuthForm(params []oauthParam) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = percentEncode(p.name) + "=" + percentEncode(p.value)
	}
	return strings.Join(parts, "&")
}
