package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
)

// browserOpener returns the function that opens a URL in the user's
// browser: $BROWSER when set (a colon-separated list of commands as
// xdg-open reads it; "%s" in a command is replaced by the URL, otherwise
// the URL is appended as the last argument), else the platform's opener
// (platformBrowser: xdg-open, open, or rundll32 url.dll,FileProtocolHandler).
// The browser runs detached from the helper's stdio, so it can never write
// on the stdout git reads.
func browserOpener(env environ) func(url string) error {
	return func(url string) error {
		cands, err := browserCommands(env)
		if err != nil {
			return err
		}
		var errs []error
		for _, c := range cands {
			cmd := exec.Command(c[0], browserArgs(c, url)...)
			cmd.Env = consent.BrowserEnv(env) // no GIT_CREDENTIAL_BITBUCKET_* secrets (issue 10)
			if err := cmd.Start(); err != nil {
				errs = append(errs, fmt.Errorf("start %s: %w", c[0], err))
				continue
			}
			go cmd.Wait() // reap; the browser's outcome arrives through the redirect
			return nil
		}
		return errors.Join(errs...)
	}
}

// browserCommands lists the commands to try, in order.
func browserCommands(env environ) ([][]string, error) {
	b := env.get("BROWSER")
	if b == "" {
		return platformBrowser(env)
	}
	var cands [][]string
	for _, c := range strings.Split(b, ":") {
		if f := strings.Fields(c); len(f) > 0 {
			cands = append(cands, f)
		}
	}
	if len(cands) == 0 {
		return nil, errors.New("$BROWSER names no command")
	}
	return cands, nil
}

// browserArgs is cmd's arguments for url: "%s" replaced, else url appended.
func browserArgs(cmd []string, url string) []string {
	args := make([]string, 0, len(cmd))
	replaced := false
	for _, a := range cmd[1:] {
		if strings.Contains(a, "%s") {
			a = strings.ReplaceAll(a, "%s", url)
			replaced = true
		}
		args = append(args, a)
	}
	if !replaced {
		args = append(args, url)
	}
	return args
}
