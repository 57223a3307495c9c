package scripttest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// callControl is `mock METHOD PATH [BODY]`: the body of the answer goes to
// stdout, and for /_mock/requests one "request ..." line per request too,
// for stdout -count=N matches. Fails on a status other than 2xx (! expects
// one).
func callControl(ts *testscript.TestScript, tgt any, neg bool, args []string) {
	if len(args) > 3 {
		ts.Fatalf("usage: mock METHOD PATH [BODY]")
	}
	c, ok := tgt.(ControlAPI)
	if !ok {
		ts.Fatalf("target has no control API")
	}
	var body io.Reader
	if len(args) == 3 {
		body = strings.NewReader(args[2])
	}
	req, err := http.NewRequest(args[0], c.ControlURL()+args[1], body)
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if (resp.StatusCode/100 != 2) != neg {
		ts.Fatalf("mock %s %s: %s: %s", args[0], args[1], resp.Status, b)
	}
	ts.Stdout().Write(b)
	ts.Stdout().Write([]byte("\n"))
	if args[1] == "/_mock/requests" || strings.HasPrefix(args[1], "/_mock/requests?") {
		var reqs []mockserver.LoggedRequest
		if json.Unmarshal(b, &reqs) == nil {
			printRequests(ts, reqs)
		}
	}
}

// redactCredential hides the password of a credential answer but keeps its
// shape, so scripts can check it without logging it.
func redactCredential(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if v, ok := strings.CutPrefix(l, "password="); ok {
			l = fmt.Sprintf("password=REDACTED len=%d class=%s", len(v), charClass(v))
		}
		if l != "" {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func charClass(v string) string {
	if _, err := base64.StdEncoding.DecodeString(v); err == nil {
		return "base64"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '=') {
			return "other"
		}
	}
	return "urlsafe"
}

// credField reads one attribute of git's credential format.
func credField(s, key string) string {
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v
		}
	}
	return ""
}
