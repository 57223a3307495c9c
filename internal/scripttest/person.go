package scripttest

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// authorizeURLRE finds an authorize URL of any flow the helper printed.
var authorizeURLRE = regexp.MustCompile(`https?://[^\s"]+/(?:site/oauth2/authorize|rest/oauth2/latest/authorize|plugins/servlet/oauth/authorize)\?[^\s"]+`)

var verifierRE = regexp.MustCompile(`<code id="oauth_verifier">([^<]+)</code>`)

// WaitFor polls file until re matches, for up to 20 s, and returns the match.
func WaitFor(ts *testscript.TestScript, file string, re *regexp.Regexp) []string {
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(ts.MkAbs(file))
		if m := re.FindStringSubmatch(string(b)); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s: no match for %s after 20s:\n%s", file, re, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdWaitFile waits until FILE matches REGEXP: waitfile trace.log 'Waiting up to'.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: waitfile FILE REGEXP")
	}
	WaitFor(ts, args[0], regexp.MustCompile(args[1]))
}

// cmdOpenURL is the person opening, in Browser on this machine, the
// authorize URL the helper printed in FILE: it approves and the browser
// comes back to the loopback listener. openurl trace.log.
func cmdOpenURL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: openurl FILE")
	}
	if err := Browse(WaitFor(ts, args[0], authorizeURLRE)[0]); err != nil {
		ts.Fatalf("openurl: %v", err)
	}
}

// cmdPasteURL is the person opening the printed URL in a browser on
// another machine, which cannot reach the loopback listener: they paste
// the address the browser was sent to (or the verification code an "oob"
// consent page shows) into FIFO, the helper's terminal.
// pasteurl tty.out tty.in.
func cmdPasteURL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: pasteurl FILE FIFO")
	}
	u := WaitFor(ts, args[0], authorizeURLRE)[0]
	var answer string
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if q := req.URL.Query(); q.Get("code") != "" || q.Get("oauth_verifier") != "" {
			answer = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(u)
	ts.Check(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := verifierRE.FindSubmatch(body); answer == "" && m != nil {
		answer = string(m[1]) // an "oob" consent page shows the verification code
	}
	if answer == "" {
		ts.Fatalf("pasteurl: the authorization did not redirect with a code (%s)", resp.Status)
	}
	f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_WRONLY, 0)
	ts.Check(err)
	defer f.Close()
	_, err = io.WriteString(f, answer+"\n")
	ts.Check(err)
}
