package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// checkSecretFiles reads the remote's secret files as a get will: mode
// (no group or other bit), and for the private key its form (PEM, RSA,
// at least 2048 bits). Never prints what a file holds.
func (d *doctorRun) checkSecretFiles(t *target) {
	remote, s := t.display(), t.settings
	if p := s.PrivateKeyFile; p != "" {
		if err := datacenter.CheckPrivateKeyFile(p); err != nil {
			d.add("secret-files", remote, checkError, "bitbucket.privateKeyFile: "+err.Error(), secretFileFix(p, err))
		} else {
			d.add("secret-files", remote, checkOK, "bitbucket.privateKeyFile "+p+": mode 0600 or stricter, an RSA private key of at least 2048 bits", "")
		}
	}
	if p := s.ClientSecretFile; p != "" {
		data, err := gitconfig.ReadSecretFile(p)
		switch {
		case err != nil:
			d.add("secret-files", remote, checkError, "bitbucket.clientSecretFile: "+err.Error(), secretFileFix(p, err))
		case strings.TrimSpace(string(data)) == "":
			d.add("secret-files", remote, checkError, "bitbucket.clientSecretFile "+p+" is empty", "write the consumer's secret into it: git-credential-bitbucket configure "+remote+" --grant "+s.Grant+" ... --client-secret-stdin")
		case strings.ContainsAny(strings.TrimSpace(string(data)), "\r\n"):
			d.add("secret-files", remote, checkError, "bitbucket.clientSecretFile "+p+" holds more than one line", "keep only the secret in it, on one line")
		default:
			d.add("secret-files", remote, checkOK, "bitbucket.clientSecretFile "+p+": mode 0600 or stricter, one line", "")
		}
	}
	if s.ClientSecret != "" {
		d.add("secret-files", remote, checkWarning, "bitbucket.clientSecret is inline in git config", "move it to a 0600 file: git-credential-bitbucket configure "+remote+" --grant "+s.Grant+" ... --client-secret-stdin")
	}
}

// secretFileFix names the fix for a secret file error.
func secretFileFix(path string, err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "too open"):
		return "chmod 600 " + path
	case strings.HasPrefix(path, "~") && !strings.HasPrefix(path, "~/"), strings.Contains(msg, "does not exist") && strings.HasPrefix(path, "'~"):
		return "write the path without quotes around ~, or as $HOME/..."
	case strings.Contains(msg, "does not exist"):
		return "check the path in git config (git config --global --get-regexp '^bitbucket\\.'), or run configure again"
	case strings.Contains(msg, "encrypted"):
		return "openssl pkey -in KEY -out link.pem (decrypts it), then chmod 600 link.pem"
	}
	return "give an RSA private key in PEM (openssl genrsa -out link.pem 2048; chmod 600 link.pem) and its public key to the application link"
}

// checkStateDir checks the token store directory as the store does: the
// directory writable by nobody else, tokens.json readable and of a known
// version.
func (d *doctorRun) checkStateDir() {
	dir, err := d.r.storeDir()
	if err != nil {
		d.add("state-dir", "", checkError, err.Error(), "set HOME, XDG_STATE_HOME or GIT_CREDENTIAL_BITBUCKET_STATE_DIR to an absolute path")
		return
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.add("state-dir", "", checkOK, dir+" does not exist yet: the first login or token creates it (mode 0700)", "")
		return
	case err != nil:
		d.add("state-dir", "", checkError, err.Error(), "make "+dir+" a directory of yours, mode 0700")
		return
	case !fi.IsDir():
		d.add("state-dir", "", checkError, dir+" is not a directory", "remove it or set GIT_CREDENTIAL_BITBUCKET_STATE_DIR to another directory")
		return
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o022 != 0:
		d.add("state-dir", "", checkError, fmt.Sprintf("%s is writable by group or others (mode %04o): the token store refuses it", dir, fi.Mode().Perm()), "chmod 700 "+dir)
		return
	}
	recs, err := tokenstore.At(dir).List()
	if err != nil {
		d.add("state-dir", "", checkError, err.Error(), "move the file named above aside (it is never overwritten) and log in again")
		return
	}
	d.add("state-dir", "", checkOK, fmt.Sprintf("%s: %d token record(s) readable", dir, len(recs)), "")
}
