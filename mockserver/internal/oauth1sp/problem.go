package oauth1sp

import (
	"net/http"
	"strings"
)

// Problem is an OAuth 1 error as net.oauth's OAuthProblemException
// carries it: the oauth_problem value and companion parameters
// (oauth_acceptable_timestamps, oauth_parameters_absent, ...).
type Problem struct {
	problem string
	extra   []Param
}

// problem builds an Problem; kv are companion name, value pairs.
func NewProblem(name string, kv ...string) *Problem {
	p := &Problem{problem: name}
	for i := 0; i+1 < len(kv); i += 2 {
		p.extra = append(p.extra, Param{kv[i], kv[i+1]})
	}
	return p
}

func (p *Problem) Error() string { return "oauth_problem=" + p.problem }

// Status is net.oauth's OAuth.Problems.TO_HTTP_CODE (docs/bitbucket-behaviour.md#dc-oauth1-problems); problems it
// does not list are 403.
func (p *Problem) Status() int {
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

// Params is oauth_problem followed by the companions.
func (p *Problem) Params() []Param {
	return append([]Param{{"oauth_problem", p.problem}}, p.extra...)
}

// WriteProblem answers as OAuthServlet.handleException does:
// WWW-Authenticate: OAuth realm="<percent-encoded base URL>", oauth_problem="…", …
// and the same parameters as a form-encoded body.
func WriteProblem(w http.ResponseWriter, realm string, p *Problem) {
	w.Header().Set("WWW-Authenticate", oauthChallenge(realm, p.Params()))
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	w.WriteHeader(p.Status())
	_, _ = w.Write([]byte(EncodeForm(p.Params())))
}

// oauthChallenge formats an OAuth WWW-Authenticate value; realm and the
// parameter values are percent-encoded (docs/bitbucket-behaviour.md#oauth1-realm).
func oauthChallenge(realm string, params []Param) string {
	parts := []string{`realm="` + PercentEncode(realm) + `"`}
	for _, p := range params {
		parts = append(parts, PercentEncode(p.Name)+`="`+PercentEncode(p.Value)+`"`)
	}
	return "OAuth " + strings.Join(parts, ", ")
}

// EncodeForm is OAuth's form encoding (RFC 5849 §3.6 percent-encoding),
// in the given order: name=value&name=value.
func EncodeForm(params []Param) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = PercentEncode(p.Name) + "=" + PercentEncode(p.Value)
	}
	return strings.Join(parts, "&")
}
