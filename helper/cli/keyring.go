package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore/oskeyring"
)

// keyringProbeTimeout bounds, under bitbucket.store=auto, the check that an
// OS keyring answers. It only runs on the slow path (the fast path reads
// each record from where it says its secrets are), and not at all on Linux
// without a D-Bus session bus.
const keyringProbeTimeout = time.Second

// openStoreFor opens the store for writing t's records, with their secrets
// going where bitbucket.store says.
func (r *run) openStoreFor(t *target) (*tokenstore.Store, error) {
	to, err := r.secretsTo(t)
	if err != nil {
		return nil, err
	}
	st, err := r.openStore()
	if err != nil {
		return nil, err
	}
	st.SecretsTo = to
	return st, nil
}

// secretsTo resolves bitbucket.store for t: file; keyring, checked before
// anything is minted that could not be kept; or for auto (the default) the
// keyring when one answers, else the file, in one trace line.
func (r *run) secretsTo(t *target) (string, error) {
	switch strings.ToLower(t.settings.Store) {
	case "file":
		return tokenstore.SecretsInFile, nil
	case "keyring":
		if err := oskeyring.Probe(r.env, keyringProbeTimeout); err != nil {
			return "", fmt.Errorf("bitbucket.store=keyring for %s, but the OS keyring does not answer: %w", t.display(), err)
		}
		return tokenstore.SecretsInKeyring, nil
	}
	if err := oskeyring.Probe(r.env, keyringProbeTimeout); err != nil {
		r.msg.tracef("store=auto: secrets for %s go to the file store (%v)", t.display(), err)
		return tokenstore.SecretsInFile, nil
	}
	r.msg.tracef("store=auto: secrets for %s go to the OS keyring", t.display())
	return tokenstore.SecretsInKeyring, nil
}

// put saves rec. Under store=auto, a keyring that stops answering between
// the probe and the write does not cost the record (a rotated refresh
// token is only good once): it goes to the file store instead.
func (r *run) put(st *tokenstore.Store, t *target, rec *tokenstore.Record) error {
	err := st.Put(rec)
	var kerr *tokenstore.KeyringError
	if !errors.As(err, &kerr) || !strings.EqualFold(t.settings.Store, "auto") || st.SecretsTo != tokenstore.SecretsInKeyring {
		return err
	}
	r.msg.tracef("store=auto: %v; keeping %s in the file store", err, rec.Key)
	fallback := *st
	fallback.SecretsTo = tokenstore.SecretsInFile
	return fallback.Put(rec)
}
