package cli

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/suggest"
)

// The rule for a first argument this helper does not know. git's
// credential protocol asks a helper to ignore an operation it does not
// know (git-credential(1): git may send new ones), so a future operation
// must not fail; a person's typo must not pass in silence either:
//
//   - an argument starting with '-' is never a git operation: exit 2,
//     with the nearest option;
//   - a name within 2 edits of a command for people (stauts): exit 2 with
//     "did you mean status?";
//   - any other name while stdin is a terminal (a person typed it; git
//     always writes the request into a pipe): exit 2;
//   - otherwise (git calling with an operation of a later git) nothing
//     is printed and the exit status is 0.
const nearDistance = 2

// topOptions are the options accepted without a command.
var topOptions = []string{"--help", "-h", "--version"}

// peopleCommands lists the commands for people, from the help texts.
func peopleCommands() []string {
	var cmds []string
	for name := range commandHelp {
		if !gitOperation(name) {
			cmds = append(cmds, name)
		}
	}
	slices.Sort(cmds)
	return cmds
}

func gitOperation(name string) bool { return name == "get" || name == "store" || name == "erase" }

// unknownCommand applies the rule above and returns the exit code.
func (r *run) unknownCommand(cmd string) int {
	if strings.HasPrefix(cmd, "-") {
		hint := ""
		if s := suggest.Nearest(cmd, topOptions, nearDistance); s != "" {
			hint = "; did you mean " + s + "?"
		}
		r.msg.errorf("unknown option %s%s (see git-credential-bitbucket --help)", quote(cmd), hint)
		return exitUsage
	}
	cmds := peopleCommands()
	near := ""
	for _, c := range cmds {
		if suggest.Distance(strings.ToLower(cmd), c) <= nearDistance {
			near = suggest.Nearest(cmd, cmds, nearDistance)
			break
		}
	}
	switch {
	case near != "":
		r.msg.errorf("unknown command %s; did you mean %s? (see git-credential-bitbucket help)", quote(cmd), near)
		return exitUsage
	case r.stdinIsTerminal():
		hint := ""
		if s := suggest.Nearest(cmd, cmds, nearDistance); s != "" {
			hint = "; did you mean " + s + "?"
		}
		r.msg.errorf("unknown command %s%s; the commands are %s (see git-credential-bitbucket help)", quote(cmd), hint, strings.Join(cmds, ", "))
		return exitUsage
	}
	// An operation of a later git: nothing, as git-credential(1) asks.
	r.msg.tracef("ignoring unknown operation %q", cmd)
	return exitOK
}

// stdinIsTerminal reports whether stdin is a terminal (App.StdinIsTerminal
// in tests, else a character device: git always writes to a pipe).
func (r *run) stdinIsTerminal() bool {
	if r.app.StdinIsTerminal != nil {
		return r.app.StdinIsTerminal()
	}
	f, ok := r.stdin.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// flagHint turns the flag package's "flag provided but not defined: -x"
// into an error naming the nearest option of fs.
func flagHint(fs *flag.FlagSet, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return err
	}
	name = "--" + strings.TrimLeft(name, "-") // as the help spells options
	var opts []string
	fs.VisitAll(func(f *flag.Flag) { opts = append(opts, "--"+f.Name) })
	if s := suggest.Nearest(name, opts, nearDistance); s != "" {
		return fmt.Errorf("unknown option %s; did you mean %s?", name, s)
	}
	if len(opts) == 0 {
		return fmt.Errorf("unknown option %s (this command takes none)", name)
	}
	return fmt.Errorf("unknown option %s (the options are %s)", name, strings.Join(opts, ", "))
}

// helpUnknown answers `help NAME` for a NAME with no help.
func (r *run) helpUnknown(name string) int {
	hint := ""
	if s := suggest.Nearest(name, peopleCommands(), nearDistance); s != "" {
		hint = "; did you mean " + s + "?"
	}
	r.msg.errorf("no help for unknown command %s%s (see git-credential-bitbucket help)", quote(name), hint)
	return exitUsage
}
