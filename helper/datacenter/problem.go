package datacenter

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/termsafe"
)

// OAuth 1 legs, named as the mock's request log names them.
const (
	legRequestToken = "request-token"
	legAccessToken  = "access-token"
	leg3LO          = "3lo"  // request signed with a 3-legged access token
	leg2LO          = "2lo"  // 2-legged: oauth_token present and empty
	leg2LOi         = "2loi" // 2-legged with xoauth_requestor_id
	legOAuth2       = grant.OAuth2
)

// oauthProblemError is a refusal by Bitbucket Server/DC of an OAuth 1
// request, keeping the leg, the HTTP status and the oauth_problem the
// server reported (net.oauth's vocabulary, docs/bitbucket-behaviour.md#dc-oauth1-problems). It never holds
// tokens or key material.
type oauthProblemError struct {
	Op          string // what the helper was doing, e.g. "create an HTTP access token"
	Leg         string // legRequestToken, legAccessToken, leg3LO, leg2LO, leg2LOi
	Status      int
	Problem     string // oauth_problem, "" when the server named none
	Advice      string // oauth_problem_advice, sanitised
	Params      string // oauth_parameters_absent / _rejected, when given
	ConsumerKey string
	KeyFile     string // bitbucket.privateKeyFile, for the signature_invalid hint
	User        string // the impersonated user (xoauth_requestor_id), for leg2LOi
}

// TokenProblem reports whether the problem is about the OAuth token itself
// (revoked, expired or unknown), so that a new consent can fix it.
func (e *oauthProblemError) TokenProblem() bool {
	switch e.Problem {
	case "token_rejected", "token_expired", "token_revoked", "token_used", "token_not_authorized":
		return true
	}
	return false
}

// As makes a problem that only a change of configuration (or of this
// machine's clock) can fix also an *auth.ConfigError, so the CLI tells git
// to quit instead of letting it prompt for a password that cannot help.
func (e *oauthProblemError) As(target any) bool {
	t, ok := target.(**auth.ConfigError)
	if !ok {
		return false
	}
	switch e.Problem {
	case "signature_invalid", "consumer_key_unknown", "consumer_key_rejected", "consumer_key_refused",
		"signature_method_rejected", "timestamp_refused", "version_rejected":
	case "permission_denied":
		if e.Leg != leg2LO && e.Leg != leg2LOi {
			return false
		}
	default:
		return false
	}
	*t = &auth.ConfigError{Msg: e.Error()}
	return true
}

func (e *oauthProblemError) Error() string {
	what := fmt.Sprintf("Bitbucket refused the %s OAuth request (HTTP %d", legName(e.Leg), e.Status)
	if e.Problem != "" {
		what += ", oauth_problem=" + e.Problem
	}
	what += ")"
	msg := what + ": " + e.hint()
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	return msg
}

func legName(leg string) string {
	switch leg {
	case legRequestToken:
		return "request-token"
	case legAccessToken:
		return "access-token"
	case leg3LO:
		return "3-legged"
	case leg2LO:
		return "2-legged"
	case leg2LOi:
		return "2-legged impersonation"
	}
	return leg
}

// hint turns the problem into one actionable sentence.
func (e *oauthProblemError) hint() string {
	ck := fmt.Sprintf("%q", e.ConsumerKey)
	switch e.Problem {
	case "timestamp_refused":
		return "the server refused the request's timestamp; check that the clock of this machine is right (synchronised, e.g. by NTP)"
	case "signature_invalid":
		key := "the configured private key"
		if e.KeyFile != "" {
			key = fmt.Sprintf("the private key in %q", e.KeyFile)
		}
		return key + " does not match the public key of the application link for consumer " + ck +
			" (or a proxy in front of Bitbucket changes the base URL; set bitbucket.apiURL to the URL Bitbucket sees)"
	case "consumer_key_unknown":
		return "Bitbucket has no application link with consumer key " + ck +
			"; create one (incoming authentication) or fix bitbucket.consumerKey"
	case "consumer_key_rejected", "consumer_key_refused":
		return "the application link for consumer " + ck + " is disabled or refused"
	case "permission_denied":
		switch e.Leg {
		case leg2LO:
			return "the application link for consumer " + ck + " does not allow 2-legged OAuth; enable it on the link or use bitbucket.grant " + grant.OAuth1
		case leg2LOi:
			if e.User != "" && strings.Contains(strings.ToLower(e.Advice), "unknown user") {
				return fmt.Sprintf("user %q is not known to Bitbucket: check bitbucket.user", e.User)
			}
			s := "the application link for consumer " + ck + " does not allow user impersonation; enable it on the link or use another grant"
			if e.User != "" {
				s += fmt.Sprintf(" (or user %q does not exist: check bitbucket.user)", e.User)
			}
			return s
		case legAccessToken:
			return "access was denied on the consent page"
		}
		return "the application link for consumer " + ck + " does not allow this request"
	case "permission_unknown":
		return "the consent page was not answered"
	case "token_rejected", "token_expired", "token_revoked", "token_used", "token_not_authorized":
		if e.Leg == leg3LO {
			return "the stored OAuth access token is no longer accepted (revoked, expired or the link was reconfigured); run `git-credential-bitbucket login` to consent again"
		}
		return "the request token was not accepted; start again"
	case "nonce_used":
		return "the request was replayed; try again"
	case "signature_method_rejected":
		return "the server does not accept RSA-SHA1 signatures for this consumer"
	case "parameter_absent", "parameter_rejected":
		s := "the server rejected the OAuth parameters"
		if e.Params != "" {
			s += " (" + e.Params + ")"
		}
		return s
	case "version_rejected":
		return "the server does not speak OAuth 1.0a"
	case "":
		if e.Status == http.StatusUnauthorized {
			return "the credentials were not accepted"
		}
		if e.Status == http.StatusForbidden {
			return "the acting user may not do this (check the user's permissions and the token permissions)"
		}
		return "unexpected response"
	}
	if e.Advice != "" {
		return e.Advice
	}
	return "see the application link's settings"
}

// httpError is a non-OAuth failure of a REST call (e.g. a 400 creating a
// token). Message is the first message of Bitbucket's error envelope,
// sanitised; response bodies are never kept whole (they may hold tokens).
type httpError struct {
	Op      string
	Status  int
	Message string
	// Base is the Bitbucket base URL the request was built from (no
	// credentials or query): with it, a 404 says that the base URL, not
	// the request, is likely wrong.
	Base string
	// Exception is the exceptionName of Bitbucket's error envelope.
	Exception string
	// User, when set, is the user in the request's path, known not to
	// exist when the status is 404 (the base URL answered or Bitbucket
	// said so); Impersonated says it came from bitbucket.user.
	User         string
	Impersonated bool
}

func (e *httpError) Error() string {
	if e.Status == http.StatusNotFound && e.User != "" {
		s := fmt.Sprintf("%s: user %q not found on %s", e.Op, e.User, e.Base)
		if e.Impersonated {
			s += ": check bitbucket.user"
		}
		return s
	}
	if e.Status == http.StatusNotFound && e.Base != "" {
		return notFoundMessage(e.Op, e.Base)
	}
	s := fmt.Sprintf("%s: HTTP %d", e.Op, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// As makes a 404 from an endpoint every Bitbucket Server has an
// *auth.ConfigError: the configured base URL is wrong (typically the
// context path is missing), which no retry or password fixes.
func (e *httpError) As(target any) bool {
	t, ok := target.(**auth.ConfigError)
	if !ok || e.Status != http.StatusNotFound || (e.Base == "" && e.User == "") {
		return false
	}
	*t = &auth.ConfigError{Msg: e.Error()}
	return true
}

// notFoundMessage is the line for a 404 from a Server/DC REST or OAuth
// endpoint under base.
func notFoundMessage(op, base string) string {
	return fmt.Sprintf("%s: %s returned 404: is %s the Bitbucket base URL (including its context path, e.g. /bitbucket)? run configure with the base URL",
		op, base, base)
}

// problemFrom extracts oauth_problem and its companions from the
// WWW-Authenticate header (OAuth scheme) or a form-encoded body. It
// returns nil when the response names no problem.
func problemFrom(h http.Header, body []byte) url.Values {
	for _, v := range h.Values("WWW-Authenticate") {
		p := parseOAuthChallenge(v)
		if p.Get("oauth_problem") != "" {
			return p
		}
	}
	s := strings.TrimSpace(string(body))
	if strings.Contains(s, "oauth_problem=") && !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "<") {
		if v, err := url.ParseQuery(s); err == nil && v.Get("oauth_problem") != "" {
			return v
		}
	}
	return nil
}

// parseOAuthChallenge parses `OAuth realm="x", oauth_problem="y"` (values
// percent-encoded per RFC 5849 §3.5.1). Other schemes yield no values.
func parseOAuthChallenge(h string) url.Values {
	out := url.Values{}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "OAuth") {
		return out
	}
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,\t")
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		k = strings.TrimSpace(k)
		var v string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				v, rest = after[1:], ""
			} else {
				v, rest = after[1:1+end], after[2+end:]
			}
		} else {
			v, rest, _ = strings.Cut(after, ",")
			v = strings.TrimSpace(v)
		}
		if dec, err := url.QueryUnescape(strings.ReplaceAll(v, "+", "%2B")); err == nil {
			v = dec
		}
		out.Add(k, v)
	}
	return out
}

// restMessage returns the first message of Bitbucket's error envelope
// {"errors":[{"message":...}]}, sanitised, or "".
func restMessage(body []byte) string {
	msg, _ := restError(body)
	return msg
}

// restError returns the first message and exceptionName of Bitbucket's
// error envelope, sanitised, or "".
func restError(body []byte) (msg, exception string) {
	var env struct {
		Errors []struct {
			Message       string `json:"message"`
			ExceptionName string `json:"exceptionName"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Errors) == 0 {
		return "", ""
	}
	return sanitize(env.Errors[0].Message), sanitize(env.Errors[0].ExceptionName)
}

// sanitize keeps server text printable on one line and short.
func sanitize(s string) string { return termsafe.Line(s) }
