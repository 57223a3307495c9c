package scripttest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"time"
)

// Browser is the $BROWSER of every script: a person who approves every
// consent page. With the mock's auto-approve the authorize URL redirects
// straight to the helper's loopback listener; otherwise it submits the
// page's approving form (ConsentForm) and follows the redirects.
const Browser = "fakebrowser"

// Programs are the commands the scripts run besides git and the helper,
// for testscript.Main.
func Programs() map[string]func() {
	return map[string]func(){Browser: browserMain}
}

func browserMain() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: "+Browser+" URL")
		os.Exit(2)
	}
	if err := Browse(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, Browser+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Browse opens u as the fake browser does.
func Browse(u string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	c := &http.Client{Timeout: 20 * time.Second, Jar: jar}
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	for range 3 {
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		f, ok := ConsentForm(string(body))
		if resp.StatusCode != http.StatusOK || !ok {
			break
		}
		action, err := resp.Request.URL.Parse(f.Action)
		if err != nil {
			return err
		}
		if f.Method == http.MethodGet {
			action.RawQuery = f.Values.Encode()
			resp, err = c.Get(action.String())
		} else {
			resp, err = c.PostForm(action.String(), f.Values)
		}
		if err != nil {
			return err
		}
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("final page %s: %s", resp.Request.URL.Redacted(), resp.Status)
	}
	return nil
}
