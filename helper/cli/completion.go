package cli

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Shell completion and the man page (scripts/genman) are made from the
// help texts (help.go), the one source of truth: the commands are
// commandHelp's keys, a command's options are the --flags of its usage
// line and of the lines that start with one, its summary its line in
// the usage text.

// Command is one command as its help text describes it.
type Command struct {
	Name    string
	Summary string   // one line: from the usage text, else the help's first sentence
	Options []string // --flag, in the order the help gives them
	Help    string   // the whole help text
}

// Commands lists the commands for people, then git's operations, each
// group sorted.
func Commands() []Command {
	names := peopleCommands()
	for _, op := range []string{"get", "store", "erase"} {
		if _, ok := commandHelp[op]; ok {
			names = append(names, op)
		}
	}
	out := make([]Command, 0, len(names))
	for _, n := range names {
		out = append(out, parseHelp(n, commandHelp[n]))
	}
	return out
}

// Usage is the text `git-credential-bitbucket --help` prints.
func Usage() string { return usage }

var optionRE = regexp.MustCompile(`--[a-z][a-z0-9-]*`)

func parseHelp(name, text string) Command {
	c := Command{Name: name, Help: text}
	lines := strings.Split(text, "\n")
	add := func(s string) {
		for _, o := range optionRE.FindAllString(s, -1) {
			if !slices.Contains(c.Options, o) {
				c.Options = append(c.Options, o)
			}
		}
	}
	add(lines[0])
	for _, l := range lines[1:] {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "--") {
			add(strings.Fields(t)[0])
		}
	}
	c.Summary = summary(name, lines)
	return c
}

var gapRE = regexp.MustCompile(`\S\s{2,}(\S.*)$`)

// summary is the command's line in the usage text (e.g. "login [URL]
// run the configured flow now…", the description maybe on the next
// line), else the first sentence of its help after the usage line.
func summary(name string, help []string) string {
	lines := strings.Split(usage, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if !strings.HasPrefix(l, "  ") || len(f) == 0 || strings.TrimRight(f[0], ",") != name {
			continue
		}
		if m := gapRE.FindStringSubmatch(l); m != nil {
			return m[1]
		}
		if i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	var para []string
	for _, l := range help[1:] {
		t := strings.TrimSpace(l)
		if t == "" && len(para) > 0 {
			break
		}
		if t != "" {
			para = append(para, t)
		}
	}
	s := strings.Join(para, " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// completionShells are the shells `completion` writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

func (r *run) completion(args []string) int {
	if len(args) != 1 || !slices.Contains(completionShells, args[0]) {
		return r.usageErr("completion", fmt.Errorf("name one shell: %s", strings.Join(completionShells, ", ")))
	}
	cmds := Commands()
	switch args[0] {
	case "bash":
		writeBash(r.stdout, cmds)
	case "zsh":
		writeZsh(r.stdout, cmds)
	case "fish":
		writeFish(r.stdout, cmds)
	}
	return exitOK
}

// words is what completes a command's arguments.
func words(c Command) []string {
	switch c.Name {
	case "help":
		return peopleCommands()
	case "completion":
		return completionShells
	}
	return append(slices.Clone(c.Options), "--help")
}

func names(cmds []Command) []string {
	var out []string
	for _, c := range cmds {
		if !gitOperation(c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

const program = "git-credential-bitbucket"

func writeBash(w io.Writer, cmds []Command) {
	fmt.Fprintf(w, "# bash completion for %s: eval \"$(%s completion bash)\"\n", program, program)
	fmt.Fprintf(w, "_git_credential_bitbucket_complete() {\n")
	fmt.Fprintf(w, "\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n")
	fmt.Fprintf(w, "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n")
	fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n", strings.Join(append(names(cmds), topOptions...), " "))
	fmt.Fprintf(w, "\t\treturn\n\tfi\n")
	fmt.Fprintf(w, "\tcase ${COMP_WORDS[1]} in\n")
	for _, c := range cmds {
		if !gitOperation(c.Name) {
			fmt.Fprintf(w, "\t%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", c.Name, strings.Join(words(c), " "))
		}
	}
	fmt.Fprintf(w, "\tesac\n}\n")
	fmt.Fprintf(w, "complete -o default -F _git_credential_bitbucket_complete %s\n", program)
}

func writeZsh(w io.Writer, cmds []Command) {
	fmt.Fprintf(w, "#compdef %s\n# zsh completion for %s: %s completion zsh > \"${fpath[1]}/_%s\"\n", program, program, program, program)
	fmt.Fprintf(w, "_git-credential-bitbucket() {\n")
	fmt.Fprintf(w, "\tlocal -a commands\n\tcommands=(\n")
	for _, c := range cmds {
		if !gitOperation(c.Name) {
			fmt.Fprintf(w, "\t\t%s\n", zshQuote(c.Name+":"+strings.ReplaceAll(c.Summary, ":", `\:`)))
		}
	}
	fmt.Fprintf(w, "\t)\n")
	fmt.Fprintf(w, "\tif (( CURRENT == 2 )); then\n\t\t_describe command commands\n\t\tcompadd -- %s\n\t\treturn\n\tfi\n", strings.Join(topOptions, " "))
	fmt.Fprintf(w, "\tcase $words[2] in\n")
	for _, c := range cmds {
		if !gitOperation(c.Name) {
			files := "; _files" // a URL or a file argument may follow
			if c.Name == "help" || c.Name == "completion" {
				files = ""
			}
			fmt.Fprintf(w, "\t%s) compadd -- %s%s ;;\n", c.Name, strings.Join(words(c), " "), files)
		}
	}
	fmt.Fprintf(w, "\tesac\n}\n")
	fmt.Fprintf(w, "compdef _git-credential-bitbucket %s\n", program)
}

func writeFish(w io.Writer, cmds []Command) {
	fmt.Fprintf(w, "# fish completion for %s: %s completion fish | source\n", program, program)
	fmt.Fprintf(w, "complete -c %s -f\n", program)
	for _, c := range cmds {
		if !gitOperation(c.Name) {
			fmt.Fprintf(w, "complete -c %s -n __fish_use_subcommand -a %s -d %s\n", program, c.Name, fishQuote(c.Summary))
		}
	}
	for _, o := range topOptions {
		if l, ok := strings.CutPrefix(o, "--"); ok {
			fmt.Fprintf(w, "complete -c %s -n __fish_use_subcommand -l %s\n", program, l)
		}
	}
	for _, c := range cmds {
		if gitOperation(c.Name) {
			continue
		}
		cond := fishQuote("__fish_seen_subcommand_from " + c.Name)
		for _, o := range words(c) {
			if l, ok := strings.CutPrefix(o, "--"); ok {
				fmt.Fprintf(w, "complete -c %s -n %s -l %s\n", program, cond, l)
			} else {
				fmt.Fprintf(w, "complete -c %s -n %s -a %s\n", program, cond, o)
			}
		}
	}
}

// zshQuote and fishQuote single-quote s for the shell.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
