package conformance

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Real-target settings, read from the environment (documented in README.md).
// Only what is set is tested; cases needing the rest skip with the variable
// to set.
const (
	envRequireReal = "CONFORMANCE_REQUIRE_REAL"

	envCloudURL          = "CONFORMANCE_CLOUD_URL"
	envCloudAPIURL       = "CONFORMANCE_CLOUD_API_URL"
	envCloudClientID     = "CONFORMANCE_CLOUD_CLIENT_ID"
	envCloudSecret       = "CONFORMANCE_CLOUD_CLIENT_SECRET"
	envCloudSecretFile   = "CONFORMANCE_CLOUD_CLIENT_SECRET_FILE"
	envCloudScopes       = "CONFORMANCE_CLOUD_SCOPES"
	envCloudRefreshFile  = "CONFORMANCE_CLOUD_REFRESH_TOKEN_FILE"
	envCloudOwner        = "CONFORMANCE_CLOUD_USER"
	envCloudRepo         = "CONFORMANCE_CLOUD_REPO"
	envCloudPublicID     = "CONFORMANCE_CLOUD_PUBLIC_CLIENT_ID"
	envCloudPublicSecret = "CONFORMANCE_CLOUD_PUBLIC_CLIENT_SECRET"
	envCloudJWTKey       = "CONFORMANCE_CLOUD_JWT_KEY"
	envCloudJWTClientKey = "CONFORMANCE_CLOUD_JWT_CLIENT_KEY"
	envCloudJWTSecret    = "CONFORMANCE_CLOUD_JWT_SHARED_SECRET"
	envCloudJWTWorkspace = "CONFORMANCE_CLOUD_JWT_WORKSPACE"
	envCloudJWTScopes    = "CONFORMANCE_CLOUD_JWT_SCOPES"

	envServerURL           = "CONFORMANCE_SERVER_URL"
	envServerConsumerKey   = "CONFORMANCE_SERVER_CONSUMER_KEY"
	envServerKeyFile       = "CONFORMANCE_SERVER_PRIVATE_KEY_FILE"
	envServerAccessFile    = "CONFORMANCE_SERVER_ACCESS_TOKEN_FILE"
	envServerUser          = "CONFORMANCE_SERVER_USER"
	envServerPassword      = "CONFORMANCE_SERVER_PASSWORD"
	envServerRepo          = "CONFORMANCE_SERVER_REPO"
	envServerExecuteAs     = "CONFORMANCE_SERVER_EXECUTE_AS"
	envServerImpersonate   = "CONFORMANCE_SERVER_IMPERSONATE"
	envServer3LOKey        = "CONFORMANCE_SERVER_3LO_CONSUMER_KEY"
	envServer3LOKeyFile    = "CONFORMANCE_SERVER_3LO_PRIVATE_KEY_FILE"
	envServerOAuth2ID      = "CONFORMANCE_SERVER_OAUTH2_CLIENT_ID"
	envServerOAuth2Secret  = "CONFORMANCE_SERVER_OAUTH2_CLIENT_SECRET"
	envServerOAuth2Redir   = "CONFORMANCE_SERVER_OAUTH2_REDIRECT_URI"
	envServerOAuth2Refresh = "CONFORMANCE_SERVER_OAUTH2_REFRESH_TOKEN_FILE"
	envServerOAuth2Scopes  = "CONFORMANCE_SERVER_OAUTH2_SCOPES"
)

// RealConfig is a real Bitbucket described by the environment.
type RealConfig struct {
	Cloud  *Cloud
	Server *Server
}

// RealFromEnv reads the real-target settings through lookup (os.LookupEnv in
// use). It returns (nil, nil) when nothing is configured and
// CONFORMANCE_REQUIRE_REAL is not set; incomplete settings are an error, and
// so is a missing configuration when CONFORMANCE_REQUIRE_REAL=1.
func RealFromEnv(lookup func(string) (string, bool)) (*RealConfig, error) {
	get := func(k string) string {
		v, _ := lookup(k)
		return strings.TrimSpace(v)
	}
	var errs []error
	cfg := &RealConfig{}
	if get(envCloudClientID) != "" || get(envCloudURL) != "" {
		c, err := cloudFromEnv(get)
		errs = append(errs, err)
		cfg.Cloud = c
	}
	if get(envServerURL) != "" {
		s, err := serverFromEnv(get)
		errs = append(errs, err)
		cfg.Server = s
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("real target: %w", err)
	}
	if cfg.Cloud == nil && cfg.Server == nil {
		if req := get(envRequireReal); req != "" && req != "0" {
			return nil, fmt.Errorf("real target: %s is set but neither %s nor %s is configured", envRequireReal, envCloudClientID, envServerURL)
		}
		return nil, nil
	}
	return cfg, nil
}

func cloudFromEnv(get func(string) string) (*Cloud, error) {
	site := strings.TrimSuffix(get(envCloudURL), "/")
	if site == "" {
		site = "https://bitbucket.org"
	}
	api := strings.TrimSuffix(get(envCloudAPIURL), "/")
	if api == "" {
		api = site
		if u, err := url.Parse(site); err == nil && u.Host == "bitbucket.org" {
			api = "https://api.bitbucket.org"
		}
	}
	// A real Cloud is Cloud since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026); the grace window
	// and lockout are its observed ones (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-refresh-rotation).
	c := &Cloud{URL: site, APIURL: api, Era: "2026", Grace: 10 * time.Minute, Lockout: 2 * time.Minute, Idle: 90 * 24 * time.Hour}
	var errs []error
	id := get(envCloudClientID)
	if id == "" {
		return nil, fmt.Errorf("%s is required with %s", envCloudClientID, envCloudURL)
	}
	secret, err := secretFrom(get, envCloudSecret, envCloudSecretFile)
	if err != nil {
		errs = append(errs, err)
	}
	c.Private = &Consumer{Key: id, Secret: secret, Private: true, Scopes: strings.Fields(get(envCloudScopes)),
		Owner: get(envCloudOwner), Rotation: "unknown"}
	c.Escaped = c.Private
	c.SessionUser = get(envCloudOwner)
	if f := get(envCloudRefreshFile); f != "" {
		if _, err := os.Stat(f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", envCloudRefreshFile, err))
		}
		c.RefreshToken = &TokenFile{Path: f}
	}
	if id := get(envCloudPublicID); id != "" {
		c.Public = &Consumer{Key: id, Secret: get(envCloudPublicSecret)}
	}
	if key := get(envCloudJWTKey); key != "" {
		if get(envCloudJWTClientKey) == "" || get(envCloudJWTSecret) == "" {
			errs = append(errs, fmt.Errorf("%s needs %s and %s", envCloudJWTKey, envCloudJWTClientKey, envCloudJWTSecret))
		}
		c.Connect = &ConnectApp{Key: key, ClientKey: get(envCloudJWTClientKey), SharedSecret: get(envCloudJWTSecret),
			InstalledFor: get(envCloudJWTWorkspace), Scopes: strings.Fields(get(envCloudJWTScopes))}
	}
	if r := get(envCloudRepo); r != "" {
		ws, slug, ok := strings.Cut(r, "/")
		if !ok || ws == "" || slug == "" {
			errs = append(errs, fmt.Errorf("%s=%q, want <workspace>/<slug>", envCloudRepo, r))
		}
		c.Repo = &CloudRepo{Workspace: ws, Slug: slug, Private: true}
	}
	return c, errors.Join(errs...)
}

func serverFromEnv(get func(string) string) (*Server, error) {
	base := strings.TrimSuffix(get(envServerURL), "/")
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s=%q is not an absolute URL", envServerURL, base)
	}
	s := &Server{URL: base, ContextPath: u.Path}
	var errs []error
	if key := get(envServerConsumerKey); key != "" {
		l, err := linkFromEnv(key, get(envServerKeyFile), envServerKeyFile)
		if err != nil {
			errs = append(errs, err)
		} else {
			l.ExecuteAs = get(envServerExecuteAs)
			l.Allow2LO = l.ExecuteAs != ""
			l.AllowImpersonation = get(envServerImpersonate) != ""
			s.Link = l
		}
	}
	if key := get(envServer3LOKey); key != "" {
		l, err := linkFromEnv(key, get(envServer3LOKeyFile), envServer3LOKeyFile)
		errs = append(errs, err)
		s.ThreeLOOnly = l
	}
	s.Impersonate = get(envServerImpersonate)
	if user := get(envServerUser); user != "" {
		s.User = &ServerUser{Slug: user, Name: user, Password: get(envServerPassword)}
	}
	if f := get(envServerAccessFile); f != "" {
		tok, err := oauth1TokenFromFile(f)
		if err != nil {
			errs = append(errs, err)
		} else {
			tok.User = get(envServerUser)
			s.AccessToken = tok
		}
	}
	if id := get(envServerOAuth2ID); id != "" {
		s.OAuth2 = &DCClient{ID: id, Secret: get(envServerOAuth2Secret), RedirectURI: get(envServerOAuth2Redir),
			Scopes: strings.Fields(get(envServerOAuth2Scopes))}
		if f := get(envServerOAuth2Refresh); f != "" {
			s.OAuth2Refresh = &TokenFile{Path: f}
		}
	}
	if r := get(envServerRepo); r != "" {
		p, slug, ok := strings.Cut(r, "/")
		if !ok || p == "" || slug == "" {
			errs = append(errs, fmt.Errorf("%s=%q, want <PROJECT>/<slug>", envServerRepo, r))
		}
		s.Repo = &ServerRepo{Project: p, Slug: slug}
	}
	return s, errors.Join(errs...)
}

func linkFromEnv(key, file, fileVar string) (*AppLink, error) {
	if file == "" {
		return nil, fmt.Errorf("consumer key %s needs %s", key, fileVar)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fileVar, err)
	}
	k, err := parseRSAKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fileVar, err)
	}
	return &AppLink{ConsumerKey: key, Key: k}, nil
}

// oauth1TokenFromFile reads "oauth_token=...&oauth_token_secret=..." (the
// access-token answer saved as is).
func oauth1TokenFromFile(path string) (*OAuth1Token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envServerAccessFile, err)
	}
	v, err := url.ParseQuery(strings.TrimSpace(string(b)))
	if err != nil || v.Get("oauth_token") == "" {
		return nil, fmt.Errorf("%s: want oauth_token=...&oauth_token_secret=...", envServerAccessFile)
	}
	return &OAuth1Token{Token: v.Get("oauth_token"), Secret: v.Get("oauth_token_secret")}, nil
}

func secretFrom(get func(string) string, direct, file string) (string, error) {
	if s := get(direct); s != "" {
		return s, nil
	}
	f := get(file)
	if f == "" {
		return "", fmt.Errorf("%s or %s is required", direct, file)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Real returns a factory for a real Bitbucket: every case shares it, and it
// has no mock ability (clock, faults, consent, revocation), so the cases
// needing those skip.
func Real(cfg *RealConfig) NewTarget {
	tgt := &realTarget{cfg: cfg}
	return func(*testing.T, Needs) Target { return tgt }
}

type realTarget struct{ cfg *RealConfig }

func (r *realTarget) Name() string    { return "real" }
func (r *realTarget) Cloud() *Cloud   { return r.cfg.Cloud }
func (r *realTarget) Server() *Server { return r.cfg.Server }
