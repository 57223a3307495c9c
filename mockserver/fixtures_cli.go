package mockserver

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const fixturesUsage = `usage: bitbucket-mock fixtures [--fixtures FILE] [--write-keys DIR] [--list [--cloud-url URL] [--server-url URL]]
  (no flag)        print the fixtures as JSON (the schema --fixtures reads)
  --write-keys DIR write the fixtures' TEST-ONLY keys and secrets into DIR (mode 0600, DIR 0700), one path a line
  --list           print the fixture repositories' clone URLs under the given base URLs
`

// runFixtures is `bitbucket-mock fixtures`.
func runFixtures(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bitbucket-mock fixtures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, fixturesUsage) }
	file := fs.String("fixtures", "", "fixtures JSON file (default: built-in)")
	keysDir := fs.String("write-keys", "", "write the test keys and secrets into DIR")
	list := fs.Bool("list", false, "print the clone URLs of the fixture repositories")
	cloudURL := fs.String("cloud-url", "$CLOUD", "the Cloud listener's URL (the first stdout line's \"cloud\")")
	serverURL := fs.String("server-url", "$SERVER", "the Server/DC URL, context path included (the first stdout line's \"server\")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bitbucket-mock fixtures: unexpected argument %q\n", fs.Arg(0))
		fmt.Fprint(stderr, fixturesUsage)
		return 2
	}
	f := DefaultFixtures()
	if *file != "" {
		var err error
		if f, err = LoadFixtures(*file); err != nil {
			fmt.Fprintf(stderr, "bitbucket-mock fixtures: %v\n", err)
			return 1
		}
	}
	if *keysDir == "" && !*list {
		b, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "bitbucket-mock fixtures: %v\n", err)
			return 1
		}
		stdout.Write(append(b, '\n'))
		return 0
	}
	if *keysDir != "" {
		paths, err := WriteFixtureKeys(f, *keysDir)
		for _, p := range paths {
			fmt.Fprintln(stdout, p)
		}
		if err != nil {
			fmt.Fprintf(stderr, "bitbucket-mock fixtures: %v\n", err)
			return 1
		}
	}
	if *list {
		for _, c := range CloneURLs(f, *cloudURL, *serverURL) {
			fmt.Fprintln(stdout, c)
		}
	}
	return 0
}

// FixtureKey is one secret of the fixtures written by WriteFixtureKeys.
type FixtureKey struct {
	Name   string // file name inside the directory
	Secret string
}

// FixtureKeys lists the fixtures' secrets by the file names
// `fixtures --write-keys` gives them: application-link private keys
// (dc-link-KEY.pem), DC OAuth 2 client secrets (dc-oauth2-ID.secret), Cloud
// consumer secrets (cloud-consumer-KEY.secret) and Connect shared secrets
// (cloud-connect-KEY.secret). Every one is a TEST VALUE.
func FixtureKeys(f *Fixtures) []FixtureKey {
	var keys []FixtureKey
	add := func(prefix, id, ext, secret string) {
		if secret != "" {
			keys = append(keys, FixtureKey{Name: prefix + fileSafe(id) + ext, Secret: secret})
		}
	}
	for _, l := range f.Server.ApplicationLinks {
		add("dc-link-", l.ConsumerKey, ".pem", l.PrivateKeyPEM)
	}
	for _, c := range f.Server.OAuth2Clients {
		add("dc-oauth2-", c.ClientID, ".secret", c.ClientSecret)
	}
	for _, c := range f.Cloud.Consumers {
		add("cloud-consumer-", c.Key, ".secret", c.Secret)
	}
	for _, a := range f.Cloud.ConnectApps {
		add("cloud-connect-", a.Key, ".secret", a.SharedSecret)
	}
	return keys
}

// WriteFixtureKeys writes FixtureKeys into dir (created 0700; files 0600,
// replaced if present) and returns the paths written, in order.
func WriteFixtureKeys(f *Fixtures, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("write keys: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("write keys: %w", err)
	}
	var paths []string
	for _, k := range FixtureKeys(f) {
		p := filepath.Join(dir, k.Name)
		body := k.Secret
		if !strings.HasSuffix(body, "\n") {
			body += "\n"
		}
		// Remove first: WriteFile keeps the mode of an existing file.
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return paths, fmt.Errorf("write keys: %w", err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			return paths, fmt.Errorf("write keys: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// CloneURLs lists the fixture repositories as "cloud|server private|public URL"
// lines, under the Cloud origin and the Server/DC base URL (context path included).
func CloneURLs(f *Fixtures, cloudURL, serverURL string) []string {
	cloudURL, serverURL = strings.TrimRight(cloudURL, "/"), strings.TrimRight(serverURL, "/")
	vis := func(private bool) string {
		if private {
			return "private"
		}
		return "public "
	}
	var out []string
	for _, r := range f.Cloud.Repositories {
		out = append(out, fmt.Sprintf("cloud  %s %s/%s/%s.git", vis(r.Private), cloudURL, r.Workspace, r.Slug))
	}
	for _, p := range f.Server.Projects {
		for _, slug := range p.Repositories {
			out = append(out, fmt.Sprintf("server %s %s/scm/%s/%s.git", vis(!p.Public), serverURL, strings.ToLower(p.Key), slug))
		}
	}
	return out
}

// fileSafe keeps an identifier usable as a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, s)
}
