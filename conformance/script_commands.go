package conformance

import (
	"encoding/base64"
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

// scriptCommands are the scripts' own commands, all through the target's
// abilities:
//
//	mock advance DURATION          move the target's clock
//	mock fault JSON                queue a fault (mockserver.Fault)
//	mock revoke-password FILE      revoke the password= of a `git credential fill` output
//	mock requests PREFIX           print "request METHOD PATH grant=G client=C status=S" lines
//	writelines FILE LINE...        write the lines (after variable expansion) to FILE
//	credfill IN OUT                `git credential fill` < IN > OUT ($CREDFILL_GIT or git); prints the answer with the
//	                               password replaced by "REDACTED len=N class=base64|urlsafe|other"
//	parallel-fill N FILE           run N `git credential fill` at once with FILE as input;
//	                               fails unless all succeed with one and the same password
func (e *env) scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"mock": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg {
				ts.Fatalf("mock does not support !")
			}
			if len(args) != 2 {
				ts.Fatalf("usage: mock advance|fault|revoke-password|requests ARG")
			}
			switch args[0] {
			case "advance":
				d, err := time.ParseDuration(args[1])
				ts.Check(err)
				c, ok := e.tgt.(Clock)
				if !ok {
					ts.Fatalf("target cannot move its clock")
				}
				ts.Check(c.Advance(e.ctx, d))
			case "fault":
				var f mockserver.Fault
				ts.Check(json.Unmarshal([]byte(args[1]), &f))
				fl, ok := e.tgt.(Faults)
				if !ok {
					ts.Fatalf("target cannot inject faults")
				}
				ts.Check(fl.AddFault(e.ctx, f))
			case "revoke-password":
				pw := credField(ts.ReadFile(args[1]), "password")
				if pw == "" {
					ts.Fatalf("%s has no password= line", args[1])
				}
				rv, ok := e.tgt.(Revoker)
				if !ok {
					ts.Fatalf("target cannot revoke tokens")
				}
				ts.Check(rv.Revoke(e.ctx, pw))
			case "requests":
				log, ok := e.tgt.(RequestLog)
				if !ok {
					ts.Fatalf("target has no request log")
				}
				reqs, err := log.Requests(e.ctx, args[1])
				ts.Check(err)
				for _, r := range reqs {
					fmt.Fprintf(ts.Stdout(), "request %s %s grant=%s client=%s status=%d\n", r.Method, r.Path, r.Grant, r.Client, r.Status)
				}
			default:
				ts.Fatalf("unknown mock command %q", args[0])
			}
		},
		"writelines": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) < 1 {
				ts.Fatalf("usage: writelines FILE LINE...")
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(args[1:], "\n")+"\n"), 0o600))
		},
		"credfill": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: credfill IN OUT")
			}
			git := ts.Getenv("CREDFILL_GIT")
			if git == "" {
				git = "git"
			}
			cmd := exec.Command(git, "credential", "fill")
			cmd.Dir = ts.Getenv("WORK")
			cmd.Env = scriptEnviron(ts)
			cmd.Stdin = strings.NewReader(ts.ReadFile(args[0]))
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out.String()), 0o600))
			fmt.Fprint(ts.Stdout(), redactCredential(out.String()))
			fmt.Fprint(ts.Stderr(), errb.String())
			if (err != nil) != neg {
				ts.Fatalf("git credential fill: %v", err)
			}
		},
		"parallel-fill": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: parallel-fill N FILE")
			}
			var n int
			if _, err := fmt.Sscan(args[0], &n); err != nil || n < 1 || n > 64 {
				ts.Fatalf("parallel-fill: bad count %q", args[0])
			}
			input := ts.ReadFile(args[1])
			outs, errs := make([]string, n), make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					cmd := exec.Command("git", "credential", "fill")
					cmd.Dir = ts.Getenv("WORK")
					cmd.Env = scriptEnviron(ts)
					cmd.Stdin = strings.NewReader(input)
					var out strings.Builder
					cmd.Stdout = &out
					errs[i] = cmd.Run()
					outs[i] = out.String()
				})
			}
			wg.Wait()
			pw := ""
			for i := range n {
				if errs[i] != nil {
					ts.Fatalf("fill %d: %v", i, errs[i])
				}
				p := credField(outs[i], "password")
				if p == "" || (pw != "" && p != pw) {
					ts.Fatalf("fill %d gave no password or another one than fill 0", i)
				}
				pw = p
			}
			fmt.Fprintf(ts.Stdout(), "fills=%d same-password=true\n", n)
		},
	}
}

// scriptEnviron is the script's environment for a subprocess.
func scriptEnviron(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_ASKPASS",
		"BROWSER", "GIT_CREDENTIAL_BITBUCKET_TIMEOUT", "GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN", "GIT_TERMINAL_PROMPT",
		"TMPDIR", "LANG"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	h, _, _ := strings.Cut(rest, "/")
	return h
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
	switch {
	case isBase64Std(v):
		return "base64"
	case isURLSafe(v):
		return "urlsafe"
	}
	return "other"
}

func isBase64Std(v string) bool {
	_, err := base64.StdEncoding.DecodeString(v)
	return err == nil
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
