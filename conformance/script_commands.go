package conformance

import (
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/internal/scripttest"
)

// Commands are the programs the helper scripts run besides git and the
// helper (the one fake browser, scripttest.Browser), for testscript.Main.
func Commands() map[string]func() { return scripttest.Programs() }

// scriptCommands are the scripts' own commands (internal/scripttest), all
// through the target's abilities. The helper is the installed binary, so
// `mock advance` moves its clock with GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET.
func (e *env) scriptCommands() map[string]scripttest.Cmd {
	return scripttest.Commands(scripttest.Options{
		Target: func(*testscript.TestScript) any { return e.tgt },
		HelperClock: func(ts *testscript.TestScript, _, total time.Duration) {
			ts.Setenv("GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET", total.String())
		},
	})
}

func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	h, _, _ := strings.Cut(rest, "/")
	return h
}
