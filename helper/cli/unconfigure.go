package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ourCredentialEntry reports whether credential.<url>.<k>=value is one
// configure writes: the empty reset, this helper, useHttpPath=true for a
// URL with a path.
func ourCredentialEntry(k, value string, u *url.URL) bool {
	switch strings.ToLower(k) {
	case "helper":
		return value == "" || isOurHelper(value)
	case "usehttppath":
		return value == "true" && strings.Trim(u.Path, "/") != ""
	}
	return false
}

// unconfigure undoes configure for one remote: it revokes and forgets the
// tokens (as logout does, while the settings still say how), removes the
// bitbucket.<url>.* section, the credential.<url>.helper entries configure
// wrote (the reset and ours) and its useHttpPath=true, and the secret file
// configure wrote under the config directory. Other keys of the
// credential.<url> section, and helpers the user wrote there, stay.
func (r *run) unconfigure(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("unconfigure", flag.ContinueOnError)
	u, code, ok := r.commandRemote("unconfigure", fs, args, remoteRequired)
	if !ok {
		return code
	}
	if cp, ok := scmContextPath(u.Path); ok {
		u.Path, u.RawPath = "/"+cp, ""
	}
	remote := strings.TrimSuffix(u.String(), "/")
	es, err := r.listConfig(ctx, "--global")
	if err != nil {
		return r.commandErr("unconfigure", err)
	}
	section, credPrefix := "bitbucket."+remote+".", "credential."+remote+"."
	settings, secretFile := 0, ""
	var helpers []configEntry
	for _, e := range es {
		if k, ok := strings.CutPrefix(e.key, section); ok && !strings.Contains(k, ".") {
			settings++
			if strings.EqualFold(k, "clientsecretfile") {
				secretFile = e.value
			}
		}
		if k, ok := strings.CutPrefix(e.key, credPrefix); ok && ourCredentialEntry(k, e.value, u) {
			helpers = append(helpers, e)
		}
	}
	if settings == 0 && len(helpers) == 0 {
		return r.commandErr("unconfigure", fmt.Errorf("%s is not configured in the global git config (no bitbucket.%s.* settings): nothing to undo", remote, remote))
	}
	// Tokens first: revoking needs the settings they were minted with.
	if code := r.logout(ctx, []string{remote}); code != exitOK {
		return code
	}
	if settings > 0 {
		if err := r.gitConfig(ctx, "--global", "--remove-section", "bitbucket."+remote); err != nil {
			return r.commandErr("unconfigure", err)
		}
		fmt.Fprintf(r.stdout, "Removed the %d bitbucket.%s.* setting(s).\n", settings, remote)
	}
	for _, e := range helpers {
		if err := r.gitConfig(ctx, "--global", "--fixed-value", "--unset-all", e.key, e.value); err != nil {
			return r.commandErr("unconfigure", err)
		}
	}
	if len(helpers) > 0 {
		if err := r.dropEmptySection(ctx, "credential."+remote); err != nil {
			return r.commandErr("unconfigure", err)
		}
		fmt.Fprintf(r.stdout, "Removed %s from credential.%s.\n", entryList(helpers, credPrefix), remote)
	}
	if secretFile != "" && r.wroteSecretFile(secretFile) {
		if err := os.Remove(secretFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return r.commandErr("unconfigure", err)
		}
		fmt.Fprintf(r.stdout, "Deleted the secret file %s.\n", secretFile)
	}
	return exitOK
}

// entryList names the entries for the summary line.
func entryList(es []configEntry, prefix string) string {
	var names []string
	for _, e := range es {
		k := strings.TrimPrefix(e.key, prefix)
		if e.value == "" {
			names = append(names, k+" (the reset)")
		} else {
			names = append(names, k+"="+e.value)
		}
	}
	return strings.Join(names, ", ")
}

// dropEmptySection removes section from the global config when no key is
// left in it (git keeps an empty header after --unset-all).
func (r *run) dropEmptySection(ctx context.Context, section string) error {
	es, err := r.listConfig(ctx, "--global")
	if err != nil {
		return err
	}
	for _, e := range es {
		if strings.HasPrefix(e.key, section+".") {
			return nil
		}
	}
	if err := r.gitConfig(ctx, "--global", "--remove-section", section); err != nil && !strings.Contains(err.Error(), "no such section") {
		return err
	}
	return nil
}

// wroteSecretFile reports whether path is a file configure writes for
// --*-stdin secrets (in the helper's config directory), never one the
// user named.
func (r *run) wroteSecretFile(path string) bool {
	dir, err := r.configDir()
	return err == nil && filepath.Dir(path) == dir &&
		(strings.HasSuffix(path, ".client-secret") || strings.HasSuffix(path, ".jwt-shared-secret"))
}

// isOurHelper reports whether a credential.<url>.helper value names this
// helper or its fast front, by short name or by path.
func isOurHelper(value string) bool {
	switch strings.TrimSuffix(filepath.Base(value), ".exe") {
	case "bitbucket", "bitbucket-fast", "git-credential-bitbucket", "git-credential-bitbucket-fast":
		return true
	}
	return false
}
