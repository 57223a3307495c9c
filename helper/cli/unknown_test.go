package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// TestUnknownCommands: the rule of unknown.go, both sides: a typo or an
// option fails with a hint, git's future operations pass in silence.
func TestUnknownCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		terminal bool
		code     int
		stderr   string
	}{
		{"typo of status", []string{"stauts"}, false, exitUsage, `unknown command "stauts"; did you mean status? (see git-credential-bitbucket help)`},
		{"typo of login", []string{"lgoin", "https://bitbucket.org"}, false, exitUsage, `unknown command "lgoin"; did you mean login? (see git-credential-bitbucket help)`},
		{"typo of configure", []string{"configur"}, false, exitUsage, `unknown command "configur"; did you mean configure? (see git-credential-bitbucket help)`},
		{"-v", []string{"-v"}, false, exitUsage, `unknown option "-v"; did you mean --version? (see git-credential-bitbucket --help)`},
		{"--verison", []string{"--verison"}, false, exitUsage, `unknown option "--verison"; did you mean --version? (see git-credential-bitbucket --help)`},
		{"--hlep", []string{"--hlep"}, false, exitUsage, `unknown option "--hlep"; did you mean --help? (see git-credential-bitbucket --help)`},
		{"-x", []string{"-x"}, false, exitUsage, `unknown option "-x" (see git-credential-bitbucket --help)`},
		{"a person types a far name", []string{"frobnicate"}, true, exitUsage, `unknown command "frobnicate"; the commands are completion, configure, doctor, help, login, logout, status, token, unconfigure, version (see git-credential-bitbucket help)`},
		{"git sends a future operation", []string{"capability"}, false, exitOK, ""},
		{"git sends another", []string{"frobnicate"}, false, exitOK, ""},
		{"help for a typo", []string{"help", "stauts"}, false, exitUsage, `no help for unknown command "stauts"; did you mean status? (see git-credential-bitbucket help)`},
		{"option of a command that takes none", []string{"logout", "--force"}, false, exitUsage, `logout: unknown option --force (this command takes none) (see git-credential-bitbucket logout --help)`},
		{"unknown option, none near", []string{"token", "--json"}, false, exitUsage, `token: unknown option --json (the options are --header) (see git-credential-bitbucket token --help)`},
		{"flag typo", []string{"token", "--haeder"}, false, exitUsage, `token: unknown option --haeder; did you mean --header? (see git-credential-bitbucket token --help)`},
		{"login flag typo", []string{"login", "--no-browsr"}, false, exitUsage, `login: unknown option --no-browsr; did you mean --no-browser? (see git-credential-bitbucket login --help)`},
		{"completion without a shell", []string{"completion"}, false, exitUsage, `completion: name one shell: bash, zsh, fish (see git-credential-bitbucket completion --help)`},
		{"completion of tcsh", []string{"completion", "tcsh"}, false, exitUsage, `completion: name one shell: bash, zsh, fish (see git-credential-bitbucket completion --help)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.app.StdinIsTerminal = func() bool { return tt.terminal }
			stdout, stderr, code := h.run(request(), nil, tt.args...)
			want := ""
			if tt.stderr != "" {
				want = linePrefix + tt.stderr + "\n"
			}
			if code != tt.code || stderr != want || stdout != "" {
				t.Errorf("%v: exit %d, stderr %q, stdout %q\nwant exit %d, stderr %q", tt.args, code, stderr, stdout, tt.code, want)
			}
		})
	}
}

// TestCompletion: every shell's script names every command, bash parses
// its script and completes from it; zsh and fish run it where installed,
// else the script's shape is checked.
func TestCompletion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			script, stderr, code := h.run("", nil, "completion", shell)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, c := range peopleCommands() {
				if !strings.Contains(script, c) {
					t.Errorf("%s script lacks %s", shell, c)
				}
			}
			if !strings.Contains(script, "no-browser") || !strings.Contains(script, "client-secret-stdin") {
				t.Errorf("%s script lacks the options of the help texts", shell)
			}
			if strings.Count(script, "'")%2 != 0 && shell != "fish" {
				t.Errorf("%s script has unbalanced quotes", shell)
			}
			bin, err := exec.LookPath(shell)
			if err != nil {
				t.Logf("no %s here: its script's shape is checked only", shell)
				checkShape(t, shell, script)
				return
			}
			if out, err := exec.Command(bin, "-n", "-c", script).CombinedOutput(); err != nil && shell != "fish" {
				t.Errorf("%s -n: %v: %s", shell, err, out)
			}
			if shell == "fish" {
				if out, err := exec.Command(bin, "--no-execute", "-c", script).CombinedOutput(); err != nil {
					t.Errorf("fish --no-execute: %v: %s", err, out)
				}
				out, err := exec.Command(bin, "-c", script+"\ncomplete -C 'git-credential-bitbucket login --no'\n").Output()
				if got := strings.TrimSpace(string(out)); err != nil || got != "--no-browser" {
					t.Errorf("fish completes login --no to %q (%v), want --no-browser", got, err)
				}
			}
		})
	}
	t.Run("bash completes", func(t *testing.T) {
		t.Parallel()
		script, _, _ := h.run("", nil, "completion", "bash")
		for _, tt := range []struct{ words, cword, want string }{
			{"git-credential-bitbucket lo", "1", "login logout"},
			{"git-credential-bitbucket login --no", "2", "--no-browser"},
			{"git-credential-bitbucket token --h", "2", "--header --help"},
			{"git-credential-bitbucket completion ", "2", "bash zsh fish"},
			{"git-credential-bitbucket help st", "2", "status"},
		} {
			words := strings.Fields(tt.words)
			if strings.HasSuffix(tt.words, " ") {
				words = append(words, "")
			}
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, "'"+w+"'")
			}
			prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" + tt.cword + "\n_git_credential_bitbucket_complete\necho \"${COMPREPLY[*]}\"\n"
			out, err := exec.Command("bash", "-c", prog).Output()
			if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
				t.Errorf("%q: %q (%v), want %q", tt.words, got, err, tt.want)
			}
		}
	})
}

// checkShape is the check of a script whose shell is not installed.
func checkShape(t *testing.T, shell, script string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(script, "\n"), "\n")
	switch shell {
	case "zsh":
		if lines[0] != "#compdef git-credential-bitbucket" || !strings.HasSuffix(script, "compdef _git-credential-bitbucket git-credential-bitbucket\n") {
			t.Errorf("zsh script: no #compdef header or compdef call")
		}
		if strings.Count(script, "{") != strings.Count(script, "}") || strings.Count(script, "case ") != strings.Count(script, "esac") ||
			strings.Count(script, "(\n") != strings.Count(script, "\t)\n") {
			t.Errorf("zsh script: unbalanced blocks")
		}
	case "fish":
		for i, l := range lines {
			if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "complete -c git-credential-bitbucket ") {
				t.Errorf("fish line %d is not a complete command: %q", i+1, l)
			}
			if n := strings.Count(l, "'") - strings.Count(l, `\'`); n%2 != 0 {
				t.Errorf("fish line %d has unbalanced quotes: %q", i+1, l)
			}
		}
	}
}
