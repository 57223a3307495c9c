// Command genman writes git-credential-bitbucket's man page (roff, man(7))
// from the help texts the binary prints (helper/cli), so the two never
// differ: `make man` runs it into man/git-credential-bitbucket.1.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
)

func main() {
	out := flag.String("o", "man/git-credential-bitbucket.1", "the file to write")
	version := flag.String("version", "devel", "the version named in the footer")
	flag.Parse()
	var b bytes.Buffer
	write(&b, *version)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
}

// write writes the page: NAME, SYNOPSIS, DESCRIPTION (the general usage
// text), COMMANDS (every command's help, as printed), SEE ALSO.
func write(w io.Writer, version string) {
	fmt.Fprintf(w, ".TH GIT-CREDENTIAL-BITBUCKET 1 \"\" %s \"User Commands\"\n", quoteArg("git-credential-bitbucket "+version))
	fmt.Fprintf(w, ".SH NAME\ngit-credential-bitbucket \\- a git credential helper for Bitbucket Cloud and Bitbucket Server / Data Center\n")
	fmt.Fprintf(w, ".SH SYNOPSIS\n.B git-credential-bitbucket\n.I command\n.RI [ arguments ]\n")
	fmt.Fprintf(w, ".SH DESCRIPTION\n")
	verbatim(w, strings.SplitN(cli.Usage(), "\n", 2)[1])
	fmt.Fprintf(w, ".SH COMMANDS\n")
	for _, c := range cli.Commands() {
		fmt.Fprintf(w, ".SS %s\n", quoteArg(c.Name))
		if c.Summary != "" {
			fmt.Fprintf(w, "%s.\n", escape(upperFirst(c.Summary)))
		}
		verbatim(w, c.Help)
	}
	fmt.Fprintf(w, ".SH SEE ALSO\n.BR git-credential (1),\n.BR gitcredentials (7)\n")
}

// verbatim writes text as it is laid out, in a no-fill block.
func verbatim(w io.Writer, text string) {
	fmt.Fprintf(w, ".PP\n.nf\n")
	for _, l := range strings.Split(strings.Trim(text, "\n"), "\n") {
		fmt.Fprintf(w, "%s\n", escape(l))
	}
	fmt.Fprintf(w, ".fi\n")
}

// escape makes a line of text safe for roff: backslashes and hyphens
// escaped, and a leading control character (. or ') neutralised.
func escape(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	if s == "" {
		return ".sp"
	}
	return s
}

func quoteArg(s string) string { return `"` + strings.ReplaceAll(escape(s), `"`, `\(dq`) + `"` }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
