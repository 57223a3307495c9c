package cli

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// helperEntry is one credential[.<url>].helper value of git config.
type helperEntry struct {
	url, value, origin string
}

// credentialHelpers lists every credential.helper and
// credential.<url>.helper value in the order git reads them.
func (r *run) credentialHelpers(ctx context.Context) ([]helperEntry, error) {
	out, err := r.gitOut(ctx, "config", "-z", "--show-origin", "--get-regexp", `^credential\.(.*\.)?helper$`)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(out, "\x00")
	var hs []helperEntry
	for i := 0; i+1 < len(parts); i += 2 {
		key, value, _ := strings.Cut(parts[i+1], "\n")
		name, _ := strings.CutPrefix(key, "credential.")
		u, _ := strings.CutSuffix(name, "helper")
		hs = append(hs, helperEntry{url: strings.TrimSuffix(u, "."), value: value, origin: parts[i]})
	}
	return hs, nil
}

// helpersFor is the list git runs for remote: the matching entries in
// order, an empty value clearing what came before (gitcredentials(7)).
func helpersFor(all []helperEntry, remote string) []helperEntry {
	ru, err := url.Parse(remote)
	if err != nil {
		return nil
	}
	var list []helperEntry
	for _, h := range all {
		if h.url != "" && !gitconfig.Covers(h.url, ru) {
			continue
		}
		if h.value == "" {
			list = nil
			continue
		}
		list = append(list, h)
	}
	return list
}

// helperName is the helper a value runs: "bitbucket" for ours (the
// helper or its fast front, by name or path), else its first word
// ("store", "cache", "manager", …).
func helperName(value string) string {
	prog := helperProgram(value)
	if prog == "" {
		return ""
	}
	base := strings.TrimSuffix(filepath.Base(strings.ReplaceAll(prog, "\\", "/")), ".exe")
	switch strings.TrimPrefix(base, "git-credential-") {
	case "bitbucket", "bitbucket-fast":
		return "bitbucket"
	}
	return strings.TrimPrefix(base, "git-credential-")
}

// helperProgram is the program of a helper value: its first word, or the
// quoted path it starts with ("C:/Program Files/…" quoted), "!" dropped.
func helperProgram(value string) string {
	v := strings.TrimSpace(strings.TrimPrefix(value, "!"))
	if q := v[:min(1, len(v))]; q == `"` || q == "'" {
		if end := strings.Index(v[1:], q); end >= 0 {
			return v[1 : end+1]
		}
	}
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// otherHelperDoes says what another helper does next to ours (by its
// helperName).
func otherHelperDoes(name string) string {
	switch name {
	case "store":
		return "keeps every credential git approves in plain text in ~/.git-credentials"
	case "cache":
		return "keeps credentials in memory (15 minutes by default) and answers with them"
	}
	return "keeps a copy of every credential git approves and answers with it"
}

// checkHelpers explains the helper list git runs for t: ours must come
// first (a helper before it answers with what it stored, a token that may
// be dead), and store anywhere writes our tokens to disk in plain text.
func (d *doctorRun) checkHelpers(ctx context.Context, t *target) {
	remote := t.display()
	all, err := d.r.credentialHelpers(ctx)
	if err != nil {
		d.add("helpers", remote, checkError, err.Error(), "fix the git config file named above")
		return
	}
	list := helpersFor(all, remote)
	reset := fmt.Sprintf("git config --global --replace-all credential.%s.helper '' && git config --global --add credential.%s.helper bitbucket", remote, remote)
	ours := -1
	for i, h := range list {
		if helperName(h.value) == "bitbucket" {
			ours = i
			break
		}
	}
	if ours < 0 {
		d.add("helpers", remote, checkError, "git runs no git-credential-bitbucket for "+remote+helperListText(list),
			"git-credential-bitbucket configure "+remote+" --grant "+orNone(t.settings.Grant)+" ... (or: "+reset+")")
		return
	}
	found := false
	for i, h := range list {
		name := helperName(h.value)
		switch {
		case i == ours, name == "bitbucket":
			continue
		case i < ours:
			found = true
			d.add("helpers", remote, checkError, fmt.Sprintf("credential helper %q (%s) runs before ours: it %s, so git may get a dead token from it and say only \"Authentication failed\"", h.value, h.origin, otherHelperDoes(name)),
				"reset the helper list for this remote, ours first: "+reset)
		case name == "store":
			found = true
			d.add("helpers", remote, checkError, fmt.Sprintf("credential helper %q (%s) runs after ours: it writes every fresh token git approves to ~/.git-credentials in plain text", h.value, h.origin),
				"reset the helper list for this remote: "+reset)
		default:
			found = true
			d.add("helpers", remote, checkWarning, fmt.Sprintf("credential helper %q (%s) runs after ours: it %s; ours answers first, so it only keeps copies of short-lived tokens", h.value, h.origin, otherHelperDoes(name)),
				"to keep ours alone: "+reset)
		}
	}
	if !found {
		d.add("helpers", remote, checkOK, fmt.Sprintf("git runs %q (%s) for %s, and no other helper", list[ours].value, list[ours].origin, remote), "")
	}
}

func helperListText(list []helperEntry) string {
	if len(list) == 0 {
		return " (no credential helper applies to it)"
	}
	var vs []string
	for _, h := range list {
		vs = append(vs, strconv.Quote(h.value))
	}
	return " (its helpers: " + strings.Join(vs, ", ") + ")"
}

// checkUseHTTPPath: git sends the path only with credential.useHttpPath,
// and a remote with a context path is found only by it.
func (d *doctorRun) checkUseHTTPPath(ctx context.Context, t *target) {
	if t.keyPath == "" {
		return
	}
	remote := t.display()
	out, err := d.r.gitOut(ctx, "config", "--type=bool", "--get-urlmatch", "credential.useHttpPath", remote+"/scm/")
	switch {
	case err != nil:
		d.add("use-http-path", remote, checkError, err.Error(), "fix the git config file named above")
	case strings.TrimSpace(out) == "true":
		d.add("use-http-path", remote, checkOK, "credential.useHttpPath is true: git sends the context path /"+t.keyPath, "")
	default:
		d.add("use-http-path", remote, checkError, "credential.useHttpPath is not true for "+remote+": git sends only the host, so the helper cannot tell the context path /"+t.keyPath+" and stays silent",
			"git config --global credential."+remote+".useHttpPath true")
	}
}

// checkBinary: a helper value "bitbucket" (or "bitbucket-fast", the fast
// front) makes git run git-credential-bitbucket[-fast] from PATH; an
// absolute path must exist; the front needs the helper beside it.
func (d *doctorRun) checkBinary(all []helperEntry) {
	seen := map[string]bool{}
	for _, h := range all {
		prog := helperProgram(h.value)
		if helperName(h.value) != "bitbucket" || seen[prog] {
			continue
		}
		seen[prog] = true
		path := prog
		if !filepath.IsAbs(prog) {
			p, err := d.r.lookPath("git-credential-" + prog)
			if err != nil {
				d.add("binary", "", checkError, fmt.Sprintf("credential helper %q (%s) makes git run git-credential-%s from PATH, and it is not there", h.value, h.origin, prog),
					"make install (into ~/.local/bin) and put that directory on PATH, or run configure again to write the absolute path")
				continue
			}
			path = p
		}
		if !isExecutable(path) {
			d.add("binary", "", checkError, fmt.Sprintf("credential helper %q (%s) names a program that is missing or not executable", h.value, h.origin),
				"run git-credential-bitbucket configure URL ... again, or make install")
			continue
		}
		if strings.HasPrefix(strings.TrimSuffix(filepath.Base(path), ".exe"), "git-credential-bitbucket-fast") {
			real, err := filepath.EvalSymlinks(path)
			if err != nil {
				real = path
			}
			beside := filepath.Join(filepath.Dir(real), "git-credential-bitbucket"+filepath.Ext(real))
			if !isExecutable(beside) {
				d.add("binary", "", checkError, fmt.Sprintf("the fast front %s hands everything but a stored token to %s, which is missing", path, beside),
					"install both together: make install, or put git-credential-bitbucket beside the front")
				continue
			}
		}
		d.add("binary", "", checkOK, fmt.Sprintf("credential helper %q runs %s", h.value, path), "")
	}
	if path, err := d.r.lookPath("git-credential-bitbucket"); err == nil {
		d.add("binary", "", checkOK, "git-credential-bitbucket on PATH is "+path, "")
	} else if len(seen) == 0 {
		d.add("binary", "", checkWarning, "git-credential-bitbucket is not on PATH", "make install and put ~/.local/bin on PATH")
	}
}

// checkGit runs the machine-wide git checks: the binary, the git version
// and what it supports.
func (d *doctorRun) checkGit(ctx context.Context, remotes []*remoteEntry) {
	all, _ := d.r.credentialHelpers(ctx)
	d.checkBinary(all)
	out, err := d.r.gitOut(ctx, "version")
	if err != nil {
		d.add("git-version", "", checkError, err.Error(), "install git 2.39 or later")
		return
	}
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "git version "))
	major, minor := gitVersion(v)
	at := func(ma, mi int) bool { return major > ma || major == ma && minor >= mi }
	yesNo := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "no"
	}
	msg := fmt.Sprintf("git %s: password_expiry_utc (2.41+, git drops a token at its expiry): %s; authtype (2.46+, bitbucket.authtype=bearer): %s",
		v, yesNo(at(2, 41)), yesNo(at(2, 46)))
	status, fix := checkOK, ""
	if !at(2, 39) {
		status, fix = checkError, "install git 2.39 or later"
	}
	for _, e := range remotes {
		if t := e.target; t != nil && t.settings.AuthType == "bearer" && !at(2, 46) && status == checkOK {
			status = checkWarning
			msg += "; " + t.display() + " sets bitbucket.authtype=bearer, which this git cannot use: it gets Basic"
			fix = "install git 2.46 or later, or unset bitbucket.authtype"
		}
	}
	d.add("git-version", "", status, msg, fix)
}

// gitVersion parses "2.39.5" (and "2.45.1.windows.1"); 0, 0 if it cannot.
func gitVersion(v string) (int, int) {
	f := strings.SplitN(v, ".", 3)
	if len(f) < 2 {
		return 0, 0
	}
	major, err1 := strconv.Atoi(f[0])
	minor, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return major, minor
}
