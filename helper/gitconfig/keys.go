package gitconfig

import (
	"errors"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/suggest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// key is one bitbucket.<url>.<name> setting.
type key struct {
	name   string // as in the design, e.g. clientSecretFile
	env    string // upper snake case, after EnvPrefix
	secret bool   // never shown in errors
	set    func(s *Settings, value string) error
}

// Valid values of the enumerated keys (README.md#what-git-receives,
// README.md#configuration). The kinds and grants come from helper/grant;
// grants not offered (implicit) are accepted so that the CLI can refuse
// them with an explanation instead of a parse error.
var (
	kinds        = grant.Kinds()
	grants       = grant.All()
	stores       = []string{"auto", "file", "keyring"}
	authTypes    = []string{"basic", "bearer"}
	interactives = []string{"auto", "never"}
)

var keys = []key{
	{name: "kind", env: "KIND", set: oneOf(kinds, func(s *Settings) *string { return &s.Kind })},
	{name: "grant", env: "GRANT", set: oneOf(grants, func(s *Settings) *string { return &s.Grant })},
	{name: "clientId", env: "CLIENT_ID", set: str(func(s *Settings) *string { return &s.ClientID })},
	{name: "clientSecret", env: "CLIENT_SECRET", secret: true, set: secretStr(func(s *Settings) *string { return &s.ClientSecret })},
	{name: "clientSecretFile", env: "CLIENT_SECRET_FILE", set: str(func(s *Settings) *string { return &s.ClientSecretFile })},
	{name: "consumerKey", env: "CONSUMER_KEY", set: str(func(s *Settings) *string { return &s.ConsumerKey })},
	{name: "privateKeyFile", env: "PRIVATE_KEY_FILE", set: str(func(s *Settings) *string { return &s.PrivateKeyFile })},
	{name: "user", env: "USER", set: str(func(s *Settings) *string { return &s.User })},
	{name: "jwtKey", env: "JWT_KEY", set: str(func(s *Settings) *string { return &s.JWTKey })},
	{name: "jwtClientKey", env: "JWT_CLIENT_KEY", set: str(func(s *Settings) *string { return &s.JWTClientKey })},
	{name: "jwtSharedSecret", env: "JWT_SHARED_SECRET", secret: true, set: secretStr(func(s *Settings) *string { return &s.JWTSharedSecret })},
	{name: "scopes", env: "SCOPES", set: str(func(s *Settings) *string { return &s.Scopes })},
	{name: "redirectURL", env: "REDIRECT_URL", set: httpURL(func(s *Settings) *string { return &s.RedirectURL })},
	{name: "apiURL", env: "API_URL", set: httpURL(func(s *Settings) *string { return &s.APIURL })},
	{name: "store", env: "STORE", set: oneOf(stores, func(s *Settings) *string { return &s.Store })},
	{name: "interactive", env: "INTERACTIVE", set: setInteractive},
	{name: "timeout", env: "TIMEOUT", set: duration(false, func(s *Settings) *time.Duration { return &s.Timeout })},
	{name: "refreshMargin", env: "REFRESH_MARGIN", set: duration(true, func(s *Settings) *time.Duration { return &s.RefreshMargin })},
	{name: "authtype", env: "AUTHTYPE", set: oneOf(authTypes, func(s *Settings) *string { return &s.AuthType })},
	{name: "tokenPermissions", env: "TOKEN_PERMISSIONS", set: str(func(s *Settings) *string { return &s.TokenPermissions })},
	{name: "tokenExpiryDays", env: "TOKEN_EXPIRY_DAYS", set: setExpiryDays},
}

func str(field func(*Settings) *string) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		*field(s) = v
		return nil
	}
}

// secretStr stores a secret without surrounding white space (a value pasted
// from a file often ends in a newline) and refuses control characters,
// which no client secret has and which would corrupt a request.
func secretStr(field func(*Settings) *string) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		v = strings.TrimSpace(v)
		if strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			return errors.New("contains a control character")
		}
		*field(s) = v
		return nil
	}
}

// oneOf accepts one of valid, in any case, and stores it lowercased.
func oneOf(valid []string, field func(*Settings) *string) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		lv := strings.ToLower(v)
		for _, ok := range valid {
			if lv == ok {
				*field(s) = lv
				return nil
			}
		}
		return fmt.Errorf("want one of %s", strings.Join(valid, ", "))
	}
}

// setInteractive accepts auto and never, and git's booleans as their
// synonyms (like credential.interactive, git-config(1)).
func setInteractive(s *Settings, v string) error {
	switch strings.ToLower(v) {
	case "auto", "true", "yes", "on", "1":
		s.Interactive = "auto"
	case "never", "false", "no", "off", "0":
		s.Interactive = "never"
	default:
		return errors.New("want auto or never")
	}
	return nil
}

// duration accepts a Go duration ("30s", "5m", "1h30m") or a whole number
// of seconds. Zero is accepted only when zeroOK.
func duration(zeroOK bool, field func(*Settings) *time.Duration) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			secs, ierr := strconv.ParseInt(v, 10, 32)
			if ierr != nil {
				return errors.New("want a duration such as 30s or 5m")
			}
			d = time.Duration(secs) * time.Second
		}
		switch {
		case d < 0:
			return errors.New("must not be negative")
		case d == 0 && !zeroOK:
			return errors.New("must be greater than zero")
		}
		*field(s) = d
		return nil
	}
}

func setExpiryDays(s *Settings, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return errors.New("want a whole number of days, at least 1")
	}
	s.TokenExpiryDays = n
	return nil
}

// httpURL accepts an absolute http or https URL with a host.
func httpURL(field func(*Settings) *string) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("want an absolute http or https URL")
		}
		*field(s) = v
		return nil
	}
}

// unknownKeys lists the variables of raw that are no key's, sorted.
func unknownKeys(raw map[string]string) []string {
	var unknown []string
	for name := range raw {
		if !slices.ContainsFunc(keys, func(k key) bool { return strings.EqualFold(k.name, name) }) {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// Suggest returns the setting a mistyped variable name most likely meant
// (as the design spells it, e.g. clientSecretFile), or "" when none is
// close: at most a third of its letters differ.
func Suggest(name string) string {
	best, bestDist := "", len(name)/3+1
	for _, k := range keys {
		if d := suggest.Distance(strings.ToLower(name), strings.ToLower(k.name)); d < bestDist {
			best, bestDist = k.name, d
		}
	}
	return best
}
