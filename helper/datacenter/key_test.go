package datacenter

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

func TestParsePrivateKey(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&testKey().PublicKey)
	tests := []struct {
		name    string
		data    []byte
		wantErr string // "" = success
	}{
		{"pkcs1 2048", pemPKCS1(testKey()), ""},
		{"pkcs8 2048", pemPKCS8(t, testKey()), ""},
		{"pkcs1 with leading text", append([]byte("TEST ONLY key\n"), pemPKCS1(testKey())...), ""},
		{"pkcs1 1024 refused", pemPKCS1(smallKey()), "1024 bits; at least 2048"},
		{"pkcs8 1024 refused", pemPKCS8(t, smallKey()), "1024 bits; at least 2048"},
		{"ec pkcs8 refused", pemPKCS8(t, ec), "not RSA"},
		{"public key refused", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), `"PUBLIC KEY" is not a private key`},
		{"not pem", []byte("ssh-rsa AAAA..."), "no PEM block"},
		{"empty", nil, "no PEM block"},
		{"garbage pkcs1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("junk")}), "malformed PKCS#1"},
		{"encrypted", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte("x")}), "encrypted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key, err := parsePrivateKey(tt.data)
			if tt.wantErr == "" {
				if err != nil || key == nil {
					t.Fatalf("parsePrivateKey: %v", err)
				}
				if !key.PublicKey.Equal(&testKey().PublicKey) {
					t.Errorf("parsed another key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parsePrivateKey error = %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "MII") {
				t.Errorf("error leaks key material: %v", err)
			}
		})
	}
}

// TestLoadPrivateKeyFile goes through gitconfig.ReadSecretFile: modes
// readable by group or others are refused before the content is parsed.
func TestLoadPrivateKeyFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    []byte
		mode    uint32
		wantErr string
	}{
		{"0600 pkcs1", pemPKCS1(testKey()), 0o600, ""},
		{"0400 pkcs8", pemPKCS8(t, testKey()), 0o400, ""},
		{"0640 refused", pemPKCS1(testKey()), 0o640, "private key"},
		{"0644 refused", pemPKCS1(testKey()), 0o644, "private key"},
		{"0604 refused", pemPKCS1(testKey()), 0o604, "private key"},
		{"1024 bits refused", pemPKCS1(smallKey()), 0o600, "at least 2048"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeKeyFile(t, tt.data, 0o600)
			if err := chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := loadPrivateKey(gitconfig.ReadSecretFile, path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("loadPrivateKey: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("loadPrivateKey error = %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY-----") || strings.Contains(err.Error(), "MII") {
				t.Errorf("error leaks key material: %v", err)
			}
		})
	}
	t.Run("missing setting is a config error", func(t *testing.T) {
		t.Parallel()
		f := newFakeDC(t, "/bitbucket")
		env := f.env(&gitconfig.Settings{Kind: "server", Grant: grant.OAuth1TwoLegged, ConsumerKey: testConsKey})
		_, err := New().Obtain(t.Context(), env, nil, false)
		var ce *auth.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "privateKeyFile") {
			t.Fatalf("Obtain error = %v, want a ConfigError about privateKeyFile", err)
		}
	})
}
