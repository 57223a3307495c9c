package conformance

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// cloudFromFixtures describes a mock's Cloud side.
func cloudFromFixtures(base string, f mockserver.CloudFixtures) *Cloud {
	c := &Cloud{URL: strings.TrimSuffix(base, "/"), APIURL: strings.TrimSuffix(base, "/"), SessionUser: f.SessionUser}
	pick := func(name string) *Consumer {
		for _, role := range cloudRoles() {
			if role.name != name {
				continue
			}
			// Prefer the suite's own entry, which is unambiguous.
			for _, k := range f.Consumers {
				if k.Key == "conformance-"+name && role.match(k) {
					return consumerOf(k)
				}
			}
			for _, k := range f.Consumers {
				if role.match(k) {
					return consumerOf(k)
				}
			}
		}
		return nil
	}
	c.Private, c.Escaped, c.Public = pick("private"), pick("escaped"), pick("public")
	c.Rotating, c.Long, c.NoCallback = pick("rotating"), pick("long"), pick("no-callback")
	c.ReadOnly, c.NoAccount, c.Personal = pick("read-only"), pick("no-account"), pick("personal")
	c.Mock, c.Era = true, f.Era
	if c.Era == "" {
		c.Era = "2026"
	}
	c.Grace, c.Lockout, c.Idle = durationOr(f.RefreshGrace, 10*time.Minute), durationOr(f.RefreshLockout, 2*time.Minute),
		durationOr(f.RefreshIdle, 90*24*time.Hour)
	if len(f.ConnectApps) > 0 {
		a := f.ConnectApps[0]
		c.Connect = &ConnectApp{Key: a.Key, ClientKey: a.ClientKey, SharedSecret: a.SharedSecret,
			InstalledFor: a.InstalledFor, Scopes: a.Scopes}
	}
	for _, u := range f.Users {
		c.Users = append(c.Users, CloudUser{Username: u.Username, DisplayName: u.DisplayName, UUID: u.UUID, AccountID: u.AccountID})
	}
	for _, r := range f.Repositories {
		if r.Private {
			c.Repo = &CloudRepo{Workspace: r.Workspace, Slug: r.Slug, Private: r.Private}
			break
		}
	}
	c.APIToken, c.AccessToken = staticFromFixtures(f, c.Repo)
	return c
}

func consumerOf(k mockserver.CloudConsumer) *Consumer {
	grace := 10 * time.Minute
	if d, err := time.ParseDuration(k.RotationGrace); err == nil && d > 0 {
		grace = d
	}
	rot := k.RefreshRotation
	if rot == "" {
		rot = "none"
	}
	ws := k.Workspace
	if ws == "" {
		ws = k.Owner // the owner's personal workspace
	}
	return &Consumer{Key: k.Key, Secret: k.Secret, Callback: k.CallbackURL, Private: k.Private,
		Scopes: k.Scopes, Owner: k.Owner, Rotation: rot, Grace: grace, LongTokens: k.LongTokens, Workspace: ws}
}

// durationOr parses a fixture duration, def when empty or bad.
func durationOr(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d
	}
	return def
}

// serverFromFixtures describes a mock's Server/DC side; base includes the
// context path.
func serverFromFixtures(base, contextPath string, f mockserver.ServerFixtures) (*Server, error) {
	s := &Server{URL: strings.TrimSuffix(base, "/"), ContextPath: contextPath}
	for _, l := range f.ApplicationLinks {
		if l.PrivateKeyPEM == "" {
			continue
		}
		switch {
		case s.Link == nil && l.Allow2LO && l.AllowImpersonation:
			link, err := appLinkOf(l)
			if err != nil {
				return nil, err
			}
			s.Link = link
		case s.ThreeLOOnly == nil && !l.Allow2LO && !l.AllowImpersonation:
			link, err := appLinkOf(l)
			if err != nil {
				return nil, err
			}
			s.ThreeLOOnly = link
		}
	}
	for _, c := range f.OAuth2Clients {
		if len(c.RedirectURIs) > 0 {
			s.OAuth2 = &DCClient{ID: c.ClientID, Secret: c.ClientSecret, RedirectURI: c.RedirectURIs[0], Scopes: c.Scopes}
			break
		}
	}
	for _, u := range f.Users {
		if u.Slug == f.SessionUser {
			s.User = &ServerUser{Slug: u.Slug, Name: u.Name, Password: u.Password}
		}
	}
	for _, u := range f.Users {
		if s.Link != nil && u.Slug != s.Link.ExecuteAs {
			s.Impersonate = u.Slug
			break
		}
	}
	for _, c := range f.OAuth2Clients {
		if c.ClientID == helperDCClientID && len(c.RedirectURIs) > 0 {
			s.HelperDC = &DCClient{ID: c.ClientID, Secret: c.ClientSecret, RedirectURI: c.RedirectURIs[0], Scopes: c.Scopes}
		}
	}
	s.Repo = writableServerRepo(f)
	return s, nil
}

func appLinkOf(l mockserver.ApplicationLink) (*AppLink, error) {
	k, err := parseRSAKey([]byte(l.PrivateKeyPEM))
	if err != nil {
		return nil, fmt.Errorf("application link %s: %w", l.ConsumerKey, err)
	}
	return &AppLink{ConsumerKey: l.ConsumerKey, Key: k, ExecuteAs: l.ExecuteAs,
		Allow2LO: l.Allow2LO, AllowImpersonation: l.AllowImpersonation}, nil
}

// parseRSAKey reads a PEM RSA private key, PKCS#1 or PKCS#8.
func parseRSAKey(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block in private key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("private key is not RSA")
	}
	return rk, nil
}
