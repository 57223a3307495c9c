package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// doctorRun collects the findings of one doctor run.
type doctorRun struct {
	r   *run
	rep DoctorReport
}

// doctor checks what a working setup needs, explains each problem with
// its fix, and exits 1 when any check is an error. It changes nothing but
// the token of a remote whose grant needs no person: the consumer check
// asks for a new one, as login does.
func (r *run) doctor(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	only, code, ok := r.commandRemote("doctor", fs, args, remoteOptional)
	if !ok {
		return code
	}
	d := &doctorRun{r: r, rep: DoctorReport{SchemaVersion: doctorSchemaVersion, Checks: []DoctorCheck{}}}
	var remotes []*remoteEntry
	for _, e := range r.statusRemotes(ctx, only, nil) {
		if e.configured() {
			remotes = append(remotes, e)
		}
	}
	if only != nil && len(remotes) == 0 {
		d.add("helpers", remoteDisplay(only.Scheme, only.Host, commandPath(only)), checkError,
			"not configured as a Bitbucket remote", "git-credential-bitbucket configure "+remoteDisplay(only.Scheme, only.Host, commandPath(only))+" --grant GRANT ...")
	}
	d.checkGit(ctx, remotes)
	d.checkStateDir()
	for _, e := range remotes {
		d.checkRemote(ctx, e)
	}
	d.rep.OK = d.rep.Errors == 0
	var out string
	if *asJSON {
		b, _ := json.MarshalIndent(d.rep, "", "  ")
		out = string(b) + "\n"
	} else {
		out = doctorText(d.rep)
	}
	io.WriteString(r.stdout, termText(r.red.redact(out)))
	if !d.rep.OK {
		return exitFail
	}
	return exitOK
}

func (d *doctorRun) add(id, remote, status, msg, fix string) {
	switch status {
	case checkError:
		d.rep.Errors++
	case checkWarning:
		d.rep.Warnings++
	}
	if status == checkOK || status == checkSkipped {
		fix = ""
	}
	d.rep.Checks = append(d.rep.Checks, DoctorCheck{ID: id, Remote: remote, Status: status, Message: oneLine(msg), Fix: oneLine(fix)})
}

// checkRemote runs the checks of one configured remote.
func (d *doctorRun) checkRemote(ctx context.Context, e *remoteEntry) {
	if e.err != nil {
		d.add("settings", e.display, checkError, e.err.Error(), "fix the bitbucket.* settings named above (git config --global --edit)")
		return
	}
	t := e.target
	d.checkHelpers(ctx, t)
	d.checkUseHTTPPath(ctx, t)
	d.checkSecretFiles(t)
	if d.checkEndpoints(ctx, t) {
		d.checkConsumer(ctx, t)
	} else {
		d.add("consumer", t.display(), checkSkipped, "not tested: an endpoint is unreachable", "")
	}
}

// doctorText renders the report for people: one line per check, its fix
// below it, and a summary.
func doctorText(rep DoctorReport) string {
	var b strings.Builder
	for _, c := range rep.Checks {
		where := c.ID
		if c.Remote != "" {
			where += " " + c.Remote
		}
		fmt.Fprintf(&b, "%-8s %s: %s\n", c.Status, where, c.Message)
		if c.Fix != "" {
			fmt.Fprintf(&b, "         fix: %s\n", c.Fix)
		}
	}
	switch {
	case rep.Errors > 0:
		fmt.Fprintf(&b, "doctor: %d error(s), %d warning(s)\n", rep.Errors, rep.Warnings)
	case rep.Warnings > 0:
		fmt.Fprintf(&b, "doctor: no errors, %d warning(s)\n", rep.Warnings)
	default:
		b.WriteString("doctor: everything checked is fine\n")
	}
	return b.String()
}

// gitOut runs git with args and returns its stdout; a non-zero exit with
// no output (a key that is not set) is "" and no error.
func (r *run) gitOut(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.git(), args...)
	cmd.Env = []string(r.env)
	out, err := cmd.Output() // an *exec.ExitError keeps the stderr
	var exit *exec.ExitError
	if err == nil || errors.As(err, &exit) && exit.ExitCode() == 1 && len(out) == 0 && len(exit.Stderr) == 0 {
		return string(out), nil
	}
	if errors.As(err, &exit) {
		msg, _, _ := strings.Cut(strings.TrimSpace(string(exit.Stderr)), "\n")
		return "", fmt.Errorf("git %s: %s (%v)", args[0], msg, exit)
	}
	return "", fmt.Errorf("run git: %w", err)
}
