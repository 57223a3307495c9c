package datacenter

// Consent pages of both Server/DC authorization flows: real HTML forms
// with Allow and Deny, skipped when auto-approve is on.

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

var srvPageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}} - Bitbucket</title></head>
<body>
<h1>{{.Title}}</h1>
{{if .User}}<p>Logged in as <strong id="user">{{.User}}</strong>.</p>{{end}}
<p id="message">{{.Text}}</p>
{{if .Verifier}}<p>Verification code: <code id="oauth_verifier">{{.Verifier}}</code></p>{{end}}
{{if .Scopes}}<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Action}}<form method="post" action="{{.Action}}">
{{range $k, $vs := .Hidden}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>{{end}}
</body>
</html>
`))

type srvPage struct {
	Title, Text, User, Verifier string
	Scopes                      []string
	Action                      string
	Hidden                      url.Values
}

func srvRenderPage(w http.ResponseWriter, status int, p srvPage) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = srvPageTemplate.Execute(w, p)
}

func srvErrorPage(w http.ResponseWriter, status int, title, text string) {
	srvRenderPage(w, status, srvPage{Title: title, Text: text})
}

func (s *State) dcConsentPage(w http.ResponseWriter, r *http.Request, ar *dcAuthorizeRequest, user string) {
	name := ar.client.Name
	if name == "" {
		name = ar.client.ClientID
	}
	hidden := url.Values{}
	for k, vs := range ar.params {
		if k != "decision" {
			hidden[k] = vs
		}
	}
	srvRenderPage(w, http.StatusOK, srvPage{
		Title:  "Authorize " + name,
		Text:   name + " is requesting access to your Bitbucket account with these scopes:",
		User:   user,
		Scopes: ar.scopes,
		Action: r.URL.Path,
		Hidden: hidden,
	})
}

// handleO1Authorize is GET {base}/plugins/servlet/oauth/authorize
// ?oauth_token=… (RFC 5849 §2.2) and its form's POST: approve, and
// redirect to the callback with oauth_token and oauth_verifier (or show
// the verifier for oob); deny sends oauth_verifier=denied (docs/bitbucket-behaviour.md#dc-oauth1-wire).
func (s *State) handleO1Authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		srvErrorPage(w, http.StatusBadRequest, "Invalid request", "The authorization request could not be read.")
		return
	}
	tok := r.Form.Get("oauth_token")
	now := s.m.Now()
	s.mu.Lock()
	t := s.reqTokens[tok]
	var consumer string
	if t != nil {
		consumer = t.consumer
	}
	s.mu.Unlock()
	if t == nil || !now.Before(t.expires) {
		srvErrorPage(w, http.StatusBadRequest, "Invalid request token", "The request token is unknown or has expired.")
		return
	}
	user := s.m.SessionUser(s.f.SessionUser)
	decision := ""
	switch {
	case r.Method == http.MethodPost && r.PostForm.Get("decision") == "deny":
		decision = "deny"
	case r.Method == http.MethodPost && r.PostForm.Get("decision") == "allow", s.autoApprove:
		decision = "allow"
	default:
		srvRenderPage(w, http.StatusOK, srvPage{
			Title:  "Authorize " + consumer,
			Text:   "The application " + consumer + " wants to access Bitbucket as you.",
			User:   user,
			Action: r.URL.Path,
			Hidden: url.Values{"oauth_token": {tok}},
		})
		return
	}
	s.mu.Lock()
	if t.state != o1Pending || s.reqTokens[tok] != t {
		s.mu.Unlock()
		srvErrorPage(w, http.StatusBadRequest, "Invalid request token", "This request token has already been authorized or denied.")
		return
	}
	verifier := "denied"
	if decision == "allow" {
		verifier = srvRandomAlnum(6) // the port's format; Bitbucket's own: UNCONFIRMED
		t.state, t.user, t.verifier = o1Approved, user, verifier
	} else {
		t.state = o1Denied
	}
	callback := t.callback
	s.mu.Unlock()
	core.Annotate(r, "authorize", consumer, user)
	if callback == "oob" {
		title, text := "Access allowed", "You have allowed access. Enter this verification code in the application."
		if decision == "deny" {
			title, text, verifier = "Access denied", "You have denied access.", ""
		}
		srvRenderPage(w, http.StatusOK, srvPage{Title: title, Text: text, User: user, Verifier: verifier})
		return
	}
	http.Redirect(w, r, appendQuery(callback, url.Values{"oauth_token": {tok}, "oauth_verifier": {verifier}}), http.StatusFound)
}
