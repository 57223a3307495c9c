package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"slices"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// The suite reads credentials from the mock's fixtures at run time. When a
// fixture set lacks something a case needs (say, a consumer without a
// callback URL), completeFixtures adds an entry for it, prefixed
// "conformance-"; it never changes existing entries.

func isPlainPrivate(c mockserver.CloudConsumer) bool {
	return c.Private && c.CallbackURL != "" && (c.RefreshRotation == "" || c.RefreshRotation == "none") &&
		!c.LongTokens && hasAll(c.Scopes, "account", "repository", "repository:write")
}

func hasAll(have []string, want ...string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

type consumerRole struct {
	name  string
	match func(mockserver.CloudConsumer) bool
	add   func(owner, callback string) mockserver.CloudConsumer
}

var fullScopes = []string{"account", "repository", "repository:write"}

func cloudRoles() []consumerRole {
	mk := func(name string, private bool, scopes []string) mockserver.CloudConsumer {
		return mockserver.CloudConsumer{Key: "conformance-" + name, Secret: randomHex(16), Private: private,
			Scopes: slices.Clone(scopes), RefreshRotation: "none"}
	}
	return []consumerRole{
		{"private", isPlainPrivate, func(o, cb string) mockserver.CloudConsumer {
			c := mk("private", true, fullScopes)
			c.Owner, c.CallbackURL = o, cb
			return c
		}},
		{"escaped", func(c mockserver.CloudConsumer) bool {
			return isPlainPrivate(c) && url.QueryEscape(c.Secret) != c.Secret
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("escaped", true, fullScopes)
			c.Secret = "conf+secret/with=odd&chars%" + randomHex(4) // Basic credentials must be URL-unescaped
			c.Owner, c.CallbackURL = o, cb
			return c
		}},
		{"public", func(c mockserver.CloudConsumer) bool {
			return !c.Private && c.CallbackURL != "" && !c.LongTokens && c.RefreshRotation != "rotate"
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("public", false, fullScopes)
			c.Owner, c.CallbackURL = o, cb
			return c
		}},
		{"rotating", func(c mockserver.CloudConsumer) bool {
			return c.RefreshRotation == "rotate" && c.CallbackURL != "" && c.Private && !c.LongTokens
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("rotating", true, fullScopes)
			c.Owner, c.CallbackURL, c.RefreshRotation, c.RotationGrace = o, cb, "rotate", "10m"
			return c
		}},
		{"long", func(c mockserver.CloudConsumer) bool {
			return c.LongTokens && c.CallbackURL != "" && c.Private
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("long", true, fullScopes)
			c.Owner, c.CallbackURL, c.LongTokens = o, cb, true
			return c
		}},
		{"personal", func(c mockserver.CloudConsumer) bool {
			return isPlainPrivate(c) && (c.Workspace == "" || c.Workspace == c.Owner)
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("personal", true, fullScopes)
			c.Owner, c.CallbackURL = o, cb
			return c
		}},
		{"no-callback", func(c mockserver.CloudConsumer) bool {
			return c.CallbackURL == "" && c.Private
		}, func(o, _ string) mockserver.CloudConsumer {
			c := mk("no-callback", true, fullScopes)
			c.Owner = o
			return c
		}},
		{"read-only", func(c mockserver.CloudConsumer) bool {
			return c.Private && c.CallbackURL != "" && !c.LongTokens && hasAll(c.Scopes, "repository", "account") &&
				!slices.Contains(c.Scopes, "repository:write") && !slices.Contains(c.Scopes, "repository:admin")
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("read-only", true, []string{"repository", "account"})
			c.Owner, c.CallbackURL = o, cb
			return c
		}},
		{"no-account", func(c mockserver.CloudConsumer) bool {
			return c.Private && c.CallbackURL != "" && !c.LongTokens && hasAll(c.Scopes, "repository") &&
				!slices.Contains(c.Scopes, "account")
		}, func(o, cb string) mockserver.CloudConsumer {
			c := mk("no-account", true, []string{"repository"})
			c.Owner, c.CallbackURL = o, cb
			return c
		}},
	}
}

// completeFixtures adds entries the cases need and f lacks.
func completeFixtures(f *mockserver.Fixtures) error {
	completeCloud(&f.Cloud)
	return completeServer(&f.Server)
}

func completeCloud(c *mockserver.CloudFixtures) {
	if len(c.Users) == 0 {
		c.Users = append(c.Users, mockserver.CloudUser{Username: "conformance", DisplayName: "Conformance",
			UUID: "{" + randomUUID() + "}", AccountID: "557058:" + randomUUID()})
	}
	if c.SessionUser == "" {
		c.SessionUser = c.Users[0].Username
	}
	owner, callback := c.SessionUser, "http://127.0.0.1/conformance/callback"
	for _, k := range c.Consumers {
		if k.CallbackURL != "" {
			callback = k.CallbackURL
			break
		}
	}
	if !slices.ContainsFunc(c.Repositories, func(r mockserver.CloudRepository) bool { return r.Private }) {
		c.Repositories = append(c.Repositories, mockserver.CloudRepository{Workspace: owner, Slug: "conformance", Private: true})
	}
	// Consumers the suite adds belong to the workspace of the repository
	// the cases use, so an era-2026 app user reaches it (docs/bitbucket-behaviour.md#cloud-2026); the
	// personal one to its owner's personal workspace.
	repoWS := c.Repositories[slices.IndexFunc(c.Repositories, func(r mockserver.CloudRepository) bool { return r.Private })].Workspace
	for _, role := range cloudRoles() {
		if !slices.ContainsFunc(c.Consumers, role.match) {
			k := role.add(owner, callback)
			if role.name != "personal" {
				k.Workspace = repoWS
			}
			c.Consumers = append(c.Consumers, k)
		}
	}
	if len(c.ConnectApps) == 0 {
		c.ConnectApps = append(c.ConnectApps, mockserver.ConnectApp{Key: "conformance-connect",
			ClientKey: "conformance-client-key", SharedSecret: randomHex(24), InstalledFor: owner,
			Scopes: []string{"repository"}})
	}
}

func completeServer(s *mockserver.ServerFixtures) error {
	if len(s.Users) == 0 {
		s.Users = append(s.Users, mockserver.ServerUser{Slug: "conformance", Name: "conformance",
			DisplayName: "Conformance", Password: randomHex(8)})
	}
	if s.SessionUser == "" {
		s.SessionUser = s.Users[0].Slug
	}
	executeAs := ""
	for _, u := range s.Users {
		if u.Slug != s.SessionUser {
			executeAs = u.Slug
			break
		}
	}
	if executeAs == "" { // 2LO and impersonation need a second user
		executeAs = "conformance-svc"
		s.Users = append(s.Users, mockserver.ServerUser{Slug: executeAs, Name: executeAs, DisplayName: "Conformance service"})
	}
	if !slices.ContainsFunc(s.ApplicationLinks, func(l mockserver.ApplicationLink) bool {
		return l.Allow2LO && l.AllowImpersonation && l.PrivateKeyPEM != ""
	}) {
		l, err := newLink("conformance-link", executeAs)
		if err != nil {
			return err
		}
		l.Allow2LO, l.AllowImpersonation = true, true
		s.ApplicationLinks = append(s.ApplicationLinks, l)
	}
	if !slices.ContainsFunc(s.ApplicationLinks, func(l mockserver.ApplicationLink) bool {
		return !l.Allow2LO && !l.AllowImpersonation && l.PrivateKeyPEM != ""
	}) {
		l, err := newLink("conformance-3lo-only", executeAs)
		if err != nil {
			return err
		}
		s.ApplicationLinks = append(s.ApplicationLinks, l)
	}
	if !slices.ContainsFunc(s.OAuth2Clients, func(c mockserver.DCOAuth2Client) bool { return len(c.RedirectURIs) > 0 }) {
		s.OAuth2Clients = append(s.OAuth2Clients, mockserver.DCOAuth2Client{ClientID: "conformance-dc",
			ClientSecret: randomHex(16), RedirectURIs: []string{"http://127.0.0.1/conformance/dc-callback"},
			Scopes: []string{"REPO_READ", "REPO_WRITE"}})
	}
	if writableServerRepo(*s) == nil {
		s.Projects = append(s.Projects, mockserver.ServerProject{Key: "CONF", Repositories: []string{"conformance"},
			Permissions: map[string]string{s.SessionUser: "PROJECT_WRITE", executeAs: "PROJECT_READ"}})
	}
	return nil
}

const helperDCClientID = "conformance-helper-dc"

// addHelperDCClient registers a DC OAuth 2 client whose exact redirect URI
// is on a port free now, for the helper's loopback listener in end-to-end
// cases (each target factory gets its own port, so targets run in parallel).
func addHelperDCClient(f *mockserver.Fixtures) error {
	addr, err := freeFixedPort()
	if err != nil {
		return err
	}
	f.Server.OAuth2Clients = append(f.Server.OAuth2Clients, mockserver.DCOAuth2Client{ClientID: helperDCClientID,
		ClientSecret: randomHex(16), RedirectURIs: []string{"http://" + addr + "/callback"},
		Scopes: []string{"REPO_READ", "REPO_WRITE"}})
	return nil
}

// freeFixedPort picks a port that is free now and below Linux's ephemeral
// range (net.ipv4.ip_local_port_range, 32768-60999 by default), so no later
// listen on port 0, by the mock, git or another target, can be handed the
// same port before the helper binds it. A port from Listen(":0") closed
// again was taken by such listeners when four targets ran in parallel.
func freeFixedPort() (string, error) {
	var b [2]byte
	for range 64 {
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("pick a redirect port: %w", err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+int(b[0])<<8%12000+int(b[1]))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		return addr, nil
	}
	return "", fmt.Errorf("pick a redirect port: no free port in 20000-32255")
}

func newLink(key, executeAs string) (mockserver.ApplicationLink, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return mockserver.ApplicationLink{}, fmt.Errorf("generate test key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return mockserver.ApplicationLink{}, fmt.Errorf("marshal test key: %w", err)
	}
	return mockserver.ApplicationLink{
		ConsumerKey:   key,
		PublicKeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		ExecuteAs:     executeAs,
	}, nil
}

func writableServerRepo(s mockserver.ServerFixtures) *ServerRepo {
	for _, p := range s.Projects {
		perm := p.Permissions[s.SessionUser]
		if (perm == "PROJECT_WRITE" || perm == "PROJECT_ADMIN") && len(p.Repositories) > 0 {
			return &ServerRepo{Project: p.Key, Slug: p.Repositories[0]}
		}
	}
	return nil
}

// cloneFixtures deep-copies f.
func cloneFixtures(f *mockserver.Fixtures) *mockserver.Fixtures {
	b, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("clone fixtures: %v", err)) // plain data: cannot fail
	}
	var out mockserver.Fixtures
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("clone fixtures: %v", err))
	}
	return &out
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func randomUUID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
