package datacenter

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// minKeyBits is the smallest RSA key accepted for an application link.
const minKeyBits = 2048

// loadPrivateKey reads bitbucket.privateKeyFile with read (normally
// gitconfig.ReadSecretFile, which refuses files group or others can read)
// and parses it. Errors name the file, never its content.
func loadPrivateKey(read func(string) ([]byte, error), path string) (*rsa.PrivateKey, error) {
	if path == "" {
		return nil, errors.New("bitbucket.privateKeyFile is not set")
	}
	data, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	key, err := parsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	return key, nil
}

// parsePrivateKey accepts one PEM block holding an RSA key in PKCS#1
// ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") form, of at least
// minKeyBits bits.
func parsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found (want an RSA private key in PKCS#1 or PKCS#8 PEM)")
	}
	if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // only detecting, never decrypting
		return nil, errors.New("the PEM block is encrypted; store the key unencrypted with mode 0600")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("malformed PKCS#1 RSA private key")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("malformed PKCS#8 private key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PKCS#8 key is %T, not RSA", k)
		}
		key = rk
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want RSA PRIVATE KEY or PRIVATE KEY)", block.Type)
	}
	if bits := key.N.BitLen(); bits < minKeyBits {
		return nil, fmt.Errorf("RSA key has %d bits; at least %d are required", bits, minKeyBits)
	}
	return key, nil
}

// CheckPrivateKeyFile validates bitbucket.privateKeyFile the way a get
// will (mode, PEM form, RSA, at least minKeyBits), without contacting any
// server: configure refuses what get would refuse later.
func CheckPrivateKeyFile(path string) error {
	_, err := loadPrivateKey(gitconfig.ReadSecretFile, path)
	return err
}
