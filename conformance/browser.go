package conformance

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"time"
)

// browserCommand is the $BROWSER of the scripts.
const browserCommand = "conformance-browser"

// Commands are the programs the helper scripts run besides git and the
// helper, for testscript.Main.
func Commands() map[string]func() {
	return map[string]func(){browserCommand: browserMain}
}

// browserMain opens its argument like a person who approves every consent
// page, following redirects to the helper's loopback listener.
func browserMain() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: "+browserCommand+" URL")
		os.Exit(2)
	}
	if err := browse(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, browserCommand+":", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func browse(u string) error {
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
		f, ok := findConsentForm(string(body))
		if resp.StatusCode != http.StatusOK || !ok {
			break
		}
		action, err := resp.Request.URL.Parse(f.action)
		if err != nil {
			return err
		}
		if f.method == http.MethodGet {
			action.RawQuery = f.values.Encode()
			resp, err = c.Get(action.String())
		} else {
			resp, err = c.PostForm(action.String(), f.values)
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
