package cloud

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// authorizeRequest is a validated /site/oauth2/authorize request.
type authorizeRequest struct {
	consumer     *Consumer
	responseType string
	redirect     string // where to send the browser: redirect_uri, or the consumer's callback
	redirectURI  string // redirect_uri as sent ("" when omitted)
	state        string
	scope        string
	challenge    string
	method       string
}

// handleAuthorize serves GET (the consent page, or an immediate redirect
// with auto-approve) and POST (the consent form's answer) of
// /site/oauth2/authorize (RFC 6749 §4.1.1, §4.2.1; docs/bitbucket-behaviour.md#cloud-endpoints, docs/bitbucket-behaviour.md#cloud-grants).
func (s *State) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		authorizeErrorPage(w, "Bad request", "The request could not be parsed.")
		return
	}
	q := r.Form
	ar, ok := s.validateAuthorize(w, q)
	if !ok {
		return
	}
	grantName := "authorization_code"
	if ar.responseType == "token" {
		grantName = "implicit"
	}
	core.Annotate(r, grantName, ar.consumer.Key, s.m.SessionUser(s.f.SessionUser))

	switch ar.responseType {
	case "code", "token":
	default:
		redirectError(w, r, ar, "unsupported_response_type", "Unsupported response type: "+ar.responseType)
		return
	}
	// PKCE parameters are carried through the consent page and otherwise
	// ignored, any method included: Cloud does not offer PKCE (BCLOUD-23469,
	// docs/bitbucket-behaviour.md#cloud-endpoints).

	auto := s.autoApprove
	if r.Method == http.MethodGet && !auto {
		s.consentPage(w, ar)
		return
	}
	if r.Method == http.MethodPost && q.Get("decision") != "approve" {
		redirectError(w, r, ar, "access_denied", "The user denied access.")
		return
	}
	s.approve(w, r, ar)
}

// validateAuthorize checks client_id and redirect_uri. Failures are an HTML
// error page, never a redirect (docs/bitbucket-behaviour.md#cloud-endpoints).
func (s *State) validateAuthorize(w http.ResponseWriter, q url.Values) (authorizeRequest, bool) {
	c := s.consumers[q.Get("client_id")]
	if c == nil {
		authorizeErrorPage(w, "Invalid client_id", "This integration is misconfigured. Contact the vendor for assistance.")
		return authorizeRequest{}, false
	}
	ar := authorizeRequest{
		consumer:     c,
		responseType: q.Get("response_type"),
		redirectURI:  q.Get("redirect_uri"),
		state:        q.Get("state"),
		scope:        q.Get("scope"),
		challenge:    q.Get("code_challenge"),
		method:       q.Get("code_challenge_method"),
	}
	ar.redirect = c.CallbackURL
	if ar.redirectURI != "" {
		ar.redirect = ar.redirectURI
	}
	if !extendsCallback(ar.redirect, c.CallbackURL) {
		authorizeErrorPage(w, "Invalid redirect_uri", "This integration is misconfigured. Contact the vendor for assistance.")
		return authorizeRequest{}, false
	}
	return ar, true
}

// extendsCallback reports whether redirect "extends" the consumer's callback
// URL (docs/bitbucket-behaviour.md#cloud-endpoints: configured example.com/add-on accepts
// example.com/add-on/function). The documented rule is a string prefix, but a
// bare prefix would let http://127.0.0.1 be extended into
// http://127.0.0.1.evil.com/ or http://127.0.0.1@evil.com/ and hand the code
// to another host; so, beyond the prefix, the redirect must be an absolute
// URL without userinfo or fragment, on the callback's scheme and host, and on
// its port when the callback names one (any port otherwise, as loopback
// clients need: RFC 8252 §7.3). UNCONFIRMED how exactly Cloud parses it; this
// is the safe reading of "extend".
func extendsCallback(redirect, callback string) bool {
	if callback == "" || !strings.HasPrefix(redirect, callback) {
		return false
	}
	r, err := url.Parse(redirect)
	if err != nil || r.Scheme == "" || r.Host == "" || r.User != nil || r.Fragment != "" || r.Opaque != "" {
		return false
	}
	c, err := url.Parse(callback)
	if err != nil {
		return false
	}
	if !strings.EqualFold(r.Scheme, c.Scheme) || !strings.EqualFold(r.Hostname(), c.Hostname()) {
		return false
	}
	return c.Port() == "" || r.Port() == c.Port()
}

// approve issues a code (query) or an access token (fragment) and redirects.
func (s *State) approve(w http.ResponseWriter, r *http.Request, ar authorizeRequest) {
	user := s.m.SessionUser(s.f.SessionUser)
	u, _ := url.Parse(ar.redirect) // validated
	scopes := append([]string(nil), ar.consumer.Scopes...)
	if ar.responseType == "code" {
		code := randomAlnum(20)
		s.mu.Lock()
		s.codes[code] = &authCode{
			client: ar.consumer.Key, user: user, redirectURI: ar.redirectURI, scopes: scopes,
			expires: s.m.Now().Add(cloudCodeLifetime), challenge: ar.challenge, method: ar.method,
		}
		s.mu.Unlock()
		v := u.Query()
		v.Set("code", code)
		if ar.state != "" {
			v.Set("state", ar.state)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	// Implicit grant: token in the fragment, no refresh token (docs/bitbucket-behaviour.md#cloud-grants).
	resp := s.issueNewGrant(accessToken{client: ar.consumer.Key, user: user, scopes: scopes, kind: "implicit"}, false, ar.consumer.LongTokens)
	f := url.Values{}
	f.Set("access_token", resp.AccessToken)
	f.Set("token_type", resp.TokenType)
	f.Set("expires_in", "7200")
	if s.modern() {
		f.Set("scope", resp.Scope) // docs/bitbucket-behaviour.md#cloud-2026; UNCONFIRMED for the implicit fragment
	} else {
		f.Set("scopes", resp.Scopes)
	}
	if ar.state != "" {
		f.Set("state", ar.state)
	}
	u.Fragment = ""
	http.Redirect(w, r, u.String()+"#"+f.Encode(), http.StatusFound)
}

// redirectError sends an RFC 6749 §4.1.2.1 error to the redirect URI
// (query for code, fragment for token).
func redirectError(w http.ResponseWriter, r *http.Request, ar authorizeRequest, code, desc string) {
	u, _ := url.Parse(ar.redirect)
	v := url.Values{}
	v.Set("error", code)
	v.Set("error_description", desc)
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	if ar.responseType == "token" {
		u.Fragment = ""
		http.Redirect(w, r, u.String()+"#"+v.Encode(), http.StatusFound)
		return
	}
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

var consentTemplate = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize {{.Consumer}} – Bitbucket (mock)</title></head>
<body>
<h1>{{.Consumer}} is requesting access to your Bitbucket account</h1>
<p>Logged in as <strong>{{.User}}</strong>.</p>
<p>This app will be able to:</p>
<ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<form method="post" action="/site/oauth2/authorize">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<button type="submit" name="decision" value="approve" id="approve">Grant access</button>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
</form>
</body></html>
`))

// consentPage shows the HTML page a person approves or denies.
func (s *State) consentPage(w http.ResponseWriter, ar authorizeRequest) {
	hidden := map[string]string{"client_id": ar.consumer.Key, "response_type": ar.responseType}
	for k, v := range map[string]string{
		"redirect_uri": ar.redirectURI, "state": ar.state, "scope": ar.scope,
		"code_challenge": ar.challenge, "code_challenge_method": ar.method,
	} {
		if v != "" {
			hidden[k] = v
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	consentTemplate.Execute(w, map[string]any{
		"Consumer": ar.consumer.Key, "User": s.m.SessionUser(s.f.SessionUser), "Scopes": ar.consumer.Scopes, "Hidden": hidden,
	})
}

var errorPageTemplate = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} – Bitbucket (mock)</title></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))

// authorizeErrorPage is the HTML page Cloud shows for a bad client_id or
// redirect_uri (docs/bitbucket-behaviour.md#cloud-endpoints). The status is UNCONFIRMED; 400 is our choice.
func authorizeErrorPage(w http.ResponseWriter, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	errorPageTemplate.Execute(w, map[string]string{"Title": title, "Text": text})
}
