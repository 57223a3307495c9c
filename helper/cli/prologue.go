package cli

import (
	"errors"
	"flag"
	"net/url"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// remoteNeed says what a user command needs of its remote URL argument.
type remoteNeed int

const (
	remoteDefault  remoteNeed = iota // none given: DefaultURL
	remoteOptional                   // none given: nil, every remote
	remoteRequired                   // one given, without a user name
)

// commandRemote is the prologue of a user command that names a remote:
// it parses fs's flags from args, then the remote URL as need says. ok is
// false when it reported a usage error; code is then the exit status.
func (r *run) commandRemote(cmd string, fs *flag.FlagSet, args []string, need remoteNeed) (u *url.URL, code int, ok bool) {
	pos, err := r.parseArgs(fs, args)
	if err != nil {
		return nil, r.usageErr(cmd, err), false
	}
	switch {
	case len(pos) == 0 && need == remoteOptional:
		return nil, exitOK, true
	case len(pos) == 0 && need == remoteRequired:
		return nil, r.usageErr(cmd, errors.New("the remote URL is required")), false
	}
	if u, err = parseRemote(pos); err != nil {
		return nil, r.usageErr(cmd, err), false
	}
	if need == remoteRequired && u.User != nil {
		return nil, r.usageErr(cmd, errors.New("the URL must not contain a user name")), false
	}
	return u, exitOK, true
}

// storedRecords is the token store and its records as a user command
// reads them: opened (created) for writing when write is set.
func (r *run) storedRecords(write bool) (*tokenstore.Store, []*tokenstore.Record, error) {
	open := r.tokenStore
	if write {
		open = r.openStore
	}
	st, err := open()
	if err != nil {
		return nil, nil, err
	}
	recs, err := st.List()
	if err != nil {
		return nil, nil, err
	}
	return st, recs, nil
}
