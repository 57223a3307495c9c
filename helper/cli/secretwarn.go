package cli

import (
	"net/url"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// warnInlineSecret says, in one line, that the client secret in force is
// written in a git config file other users can read, and how to move it
// (issue 10, point 11). Nothing when the environment supplies the secret.
func (r *run) warnInlineSecret(entries []gitconfig.Entry, remote *url.URL, s *gitconfig.Settings) {
	if s.ClientSecret == "" || r.env.get(gitconfig.EnvPrefix+"CLIENT_SECRET") != "" {
		return
	}
	if path := gitconfig.ExposedSecretFile(entries, remote); path != "" {
		r.msg.errorf("warning: bitbucket.clientSecret is set in %s, which other users can read; put the secret in a file only you can read and set bitbucket.clientSecretFile instead (git-credential-bitbucket configure --client-secret-stdin does this)", path)
	}
}

// warnUnknownKeys says, for each bitbucket.* variable git config has for
// remote that is no setting, which one was probably meant.
func (r *run) warnUnknownKeys(remote *url.URL, s *gitconfig.Settings) {
	for _, name := range s.Unknown {
		if want := gitconfig.Suggest(name); want != "" {
			r.msg.errorf("bitbucket.%s (for %s) is not a setting: did you mean bitbucket.%s?", name, remote, want)
			continue
		}
		r.msg.errorf("bitbucket.%s (for %s) is not a setting: see README.md#configuration for the keys", name, remote)
	}
}
