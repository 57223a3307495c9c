// Package scripttest is the one vocabulary of the testscript suites: the
// commands of the helper's CLI scripts (cmd/git-credential-bitbucket) and
// of the conformance suite's helper scripts (conformance), and the one fake
// browser (Browser). It imports only the mock and testscript, so the
// conformance suite stays independent of the helper.
//
//	mock advance DURATION          move the target's clock, and the helper's with it
//	mock fault JSON                queue a fault (mockserver.Fault)
//	mock revoke-password FILE      revoke the password= of a `git credential fill` output
//	mock requests PREFIX           print "request METHOD PATH grant=G client=C status=S" lines
//	mock METHOD PATH [JSON-BODY]   call the mock's control API, print the answer
//	writelines FILE [LINE...]      write the lines (after variable expansion) to FILE
//	credfill IN OUT                `git credential fill` < IN > OUT ($CREDFILL_GIT or git); prints the answer with the
//	                               password replaced by "REDACTED len=N class=base64|urlsafe|other"
//	parallel-fill N FILE           run N `git credential fill` at once with FILE as input;
//	                               fails unless all succeed, silently, with one and the same password
//	timed MAX COMMAND [ARG...]     exec COMMAND, failing when it takes longer than MAX
//	waitfile FILE REGEXP           wait until FILE matches REGEXP
//	openurl FILE                   the person opens the authorize URL printed in FILE in Browser
//	pasteurl FILE FIFO             the person opens it on another machine and pastes the answer into FIFO
package scripttest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// The abilities a script's target may have; mock's sub-commands need them.
type (
	// Clock moves the target's clock.
	Clock interface {
		Advance(ctx context.Context, d time.Duration) error
	}
	// Faults queues faults.
	Faults interface {
		AddFault(ctx context.Context, f mockserver.Fault) error
	}
	// Revoker revokes a token the target issued.
	Revoker interface {
		Revoke(ctx context.Context, token string) error
	}
	// RequestLog lists the requests the target served, by path prefix.
	RequestLog interface {
		Requests(ctx context.Context, prefix string) ([]mockserver.LoggedRequest, error)
	}
	// ControlAPI is a mock's control API, for `mock METHOD PATH [BODY]`.
	ControlAPI interface {
		ControlURL() string
	}
)

// Cmd is a testscript command.
type Cmd = func(ts *testscript.TestScript, neg bool, args []string)

// Options tie the commands to a suite.
type Options struct {
	// Target is what the script runs against (its abilities above).
	Target func(ts *testscript.TestScript) any
	// HelperClock moves the helper's clock by d after the target's moved
	// by d (mock advance); total is every advance of the script so far.
	HelperClock func(ts *testscript.TestScript, d, total time.Duration)
	// Environ lists the script variables that git and the helper get in
	// credfill and parallel-fill, besides PATH, HOME and the like.
	Environ []string
}

// Commands are the scripts' commands.
func Commands(o Options) map[string]Cmd {
	return map[string]Cmd{
		"mock":          o.cmdMock,
		"writelines":    cmdWriteLines,
		"credfill":      o.cmdCredFill,
		"parallel-fill": o.cmdParallelFill,
		"timed":         cmdTimed,
		"waitfile":      cmdWaitFile,
		"openurl":       cmdOpenURL,
		"pasteurl":      cmdPasteURL,
	}
}

// advancedVar keeps a script's total clock movement.
const advancedVar = "SCRIPTTEST_ADVANCED"

func (o Options) cmdMock(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: mock advance|fault|revoke-password|requests ARG, or mock METHOD PATH [BODY]")
	}
	tgt := o.Target(ts)
	if len(args) >= 2 && args[0] == strings.ToUpper(args[0]) {
		callControl(ts, tgt, neg, args)
		return
	}
	if neg {
		ts.Fatalf("mock %s does not support !", args[0])
	}
	if len(args) != 2 {
		ts.Fatalf("usage: mock advance|fault|revoke-password|requests ARG, or mock METHOD PATH [BODY]")
	}
	ctx := context.Background()
	ts.Stdout() // stdout is this command's output, even when it prints nothing
	switch args[0] {
	case "advance":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		c, ok := tgt.(Clock)
		if !ok {
			ts.Fatalf("target cannot move its clock")
		}
		ts.Check(c.Advance(ctx, d))
		total, _ := time.ParseDuration(ts.Getenv(advancedVar))
		total += d
		ts.Setenv(advancedVar, total.String())
		if o.HelperClock != nil {
			o.HelperClock(ts, d, total)
		}
	case "fault":
		var f mockserver.Fault
		ts.Check(json.Unmarshal([]byte(args[1]), &f))
		fl, ok := tgt.(Faults)
		if !ok {
			ts.Fatalf("target cannot inject faults")
		}
		ts.Check(fl.AddFault(ctx, f))
	case "revoke-password":
		pw := credField(ts.ReadFile(args[1]), "password")
		if pw == "" {
			ts.Fatalf("%s has no password= line", args[1])
		}
		rv, ok := tgt.(Revoker)
		if !ok {
			ts.Fatalf("target cannot revoke tokens")
		}
		ts.Check(rv.Revoke(ctx, pw))
	case "requests":
		log, ok := tgt.(RequestLog)
		if !ok {
			ts.Fatalf("target has no request log")
		}
		reqs, err := log.Requests(ctx, args[1])
		ts.Check(err)
		printRequests(ts, reqs)
	default:
		ts.Fatalf("unknown mock command %q", args[0])
	}
}

func printRequests(ts *testscript.TestScript, reqs []mockserver.LoggedRequest) {
	out := ts.Stdout() // even when there is none: stdout is this command's output
	for _, r := range reqs {
		fmt.Fprintf(out, "request %s %s grant=%s client=%s status=%d\n", r.Method, r.Path, r.Grant, r.Client, r.Status)
	}
}

func cmdWriteLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: writelines FILE [LINE...]")
	}
	var b strings.Builder
	for _, l := range args[1:] {
		b.WriteString(l + "\n")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o600))
}

// environ is the script's environment for a subprocess.
func (o Options) environ(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range append([]string{"PATH", "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_ASKPASS",
		"BROWSER", "GIT_CREDENTIAL_BITBUCKET_TIMEOUT", "GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN",
		"GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET", "GIT_TERMINAL_PROMPT", "TMPDIR", "LANG"}, o.Environ...) {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func (o Options) fill(ts *testscript.TestScript, git, input string) (stdout, stderr string, err error) {
	cmd := exec.Command(git, "credential", "fill")
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = o.environ(ts)
	cmd.Stdin = strings.NewReader(input)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

func (o Options) cmdCredFill(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: credfill IN OUT")
	}
	git := ts.Getenv("CREDFILL_GIT")
	if git == "" {
		git = "git"
	}
	out, errs, err := o.fill(ts, git, ts.ReadFile(args[0]))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o600))
	fmt.Fprint(ts.Stdout(), redactCredential(out))
	fmt.Fprint(ts.Stderr(), errs)
	if (err != nil) != neg {
		ts.Fatalf("git credential fill: %v", err)
	}
}

func (o Options) cmdParallelFill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: parallel-fill N FILE")
	}
	var n int
	if _, err := fmt.Sscan(args[0], &n); err != nil || n < 1 || n > 64 {
		ts.Fatalf("parallel-fill: bad count %q", args[0])
	}
	input := ts.ReadFile(args[1])
	outs, errOuts, errs := make([]string, n), make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { outs[i], errOuts[i], errs[i] = o.fill(ts, "git", input) })
	}
	wg.Wait()
	pw := ""
	for i := range n {
		if errs[i] != nil {
			ts.Fatalf("fill %d: %v", i, errs[i])
		}
		if errOuts[i] != "" {
			ts.Fatalf("fill %d wrote to stderr (%d bytes)", i, len(errOuts[i]))
		}
		p := credField(outs[i], "password")
		if p == "" || (pw != "" && p != pw) {
			ts.Fatalf("fill %d gave no password or another one than fill 0", i)
		}
		pw = p
	}
	fmt.Fprintf(ts.Stdout(), "fills=%d same-password=true\n", n)
}

func cmdTimed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: timed MAX COMMAND [ARG...]")
	}
	max, err := time.ParseDuration(args[0])
	ts.Check(err)
	start := time.Now()
	err = ts.Exec(args[1], args[2:]...)
	if took := time.Since(start); took > max {
		ts.Fatalf("%s took %s, more than %s", args[1], took.Round(time.Millisecond), max)
	}
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s: %v", args[1], err)
	case err == nil && neg:
		ts.Fatalf("%s succeeded unexpectedly", args[1])
	}
}
