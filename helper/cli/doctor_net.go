package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
)

// Clock skew limits: OAuth 1 servers refuse a timestamp more than 5
// minutes off (docs/bitbucket-behaviour.md#dc-oauth1-problems: timestamp_refused,
// net.oauth's default window), and every
// grant judges token expiry by this machine's clock.
const (
	skewError   = 5 * time.Minute
	skewWarning = time.Minute
)

// endpointURLs are the URLs the helper talks to for t: the token endpoint
// and the REST base (Cloud), or the REST base (Server/DC).
func endpointURLs(t *target) ([]string, error) {
	if t.kind != grant.KindCloud {
		base, err := datacenter.BaseURL(t.remote, t.settings)
		if err != nil {
			return nil, err
		}
		return []string{base.String() + "/rest/api/latest/application-properties"}, nil
	}
	api, err := staticAPIBase(t.remote, t.settings.APIURL)
	if err != nil {
		return nil, err
	}
	origin := t.remote.Scheme + "://" + t.remote.Host
	if gitconfig.IsCloudHost(t.remote.Host) {
		origin = "https://bitbucket.org"
	}
	return []string{origin + "/site/oauth2/access_token", api + "/user"}, nil
}

// checkEndpoints asks each endpoint for nothing (no credential), reports
// reachability, time and TLS, and takes the clock skew from the first
// answer's Date header. It returns whether every endpoint answered.
func (d *doctorRun) checkEndpoints(ctx context.Context, t *target) bool {
	remote := t.display()
	urls, err := endpointURLs(t)
	if err != nil {
		d.add("endpoint", remote, checkError, err.Error(), "fix bitbucket.apiURL")
		return false
	}
	client := *d.r.client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	all, clocked := true, false
	for _, u := range urls {
		rctx, cancel := context.WithTimeout(ctx, t.timeout)
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
		start := time.Now()
		resp, err := client.Do(req)
		took := time.Since(start)
		cancel()
		if err != nil {
			all = false
			d.add("endpoint", remote, checkError, "GET "+u+": "+netmsg.Explain(err).Error(),
				"check the URL (git config --global --get-regexp '^bitbucket\\.'), the network and HTTPS_PROXY; for bitbucket-mock, start it")
			continue
		}
		resp.Body.Close()
		status := checkOK
		fix := ""
		if resp.StatusCode >= 500 {
			status, fix = checkWarning, "the server has trouble: try again later, or ask its administrator"
		}
		d.add("endpoint", remote, status, fmt.Sprintf("GET %s: %s in %s; %s", u, resp.Status, took.Round(time.Millisecond), tlsText(resp.TLS)), fix)
		if !clocked {
			clocked = d.checkClock(t, resp, took)
		}
	}
	return all
}

// tlsText describes a connection's TLS: version and the certificate.
func tlsText(cs *tls.ConnectionState) string {
	if cs == nil {
		return "plain http (allowed for loopback hosts only)"
	}
	s := "TLS " + strings.TrimPrefix(tls.VersionName(cs.Version), "TLS ")
	if len(cs.PeerCertificates) > 0 {
		c := cs.PeerCertificates[0]
		s += fmt.Sprintf(", certificate for %s from %s, valid until %s", c.Subject.CommonName, c.Issuer.CommonName, c.NotAfter.UTC().Format("2006-01-02"))
	}
	return s
}

// checkClock compares this machine's clock (the helper's, with
// GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET) with the server's Date header.
// It returns false when the answer had no usable Date.
func (d *doctorRun) checkClock(t *target, resp *http.Response, took time.Duration) bool {
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return false
	}
	// Date has one-second resolution and was written during the request.
	skew := d.r.now().Sub(date)
	slack := took + time.Second
	abs := skew.Abs()
	if abs > slack {
		abs -= slack
	} else {
		abs = 0
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	why := "token expiry is judged by this clock: a clock behind serves expired tokens, one ahead refreshes early"
	if grant.IsOAuth1(t.settings.Grant) {
		why = "OAuth 1 signatures carry this clock's time, and the server refuses one more than 5 minutes off (timestamp_refused)"
	}
	msg := fmt.Sprintf("this machine's clock is %s %s the server's (Date: %s); %s", skew.Round(time.Second).Abs(), dir, resp.Header.Get("Date"), why)
	fix := "set the clock right: enable NTP (timedatectl set-ntp true, or your system's time settings)"
	switch {
	case abs > skewError:
		d.add("clock", t.display(), checkError, msg, fix)
	case abs > skewWarning:
		d.add("clock", t.display(), checkWarning, msg, fix)
	default:
		d.add("clock", t.display(), checkOK, fmt.Sprintf("this machine's clock agrees with the server's within %s", slack.Round(time.Second)), "")
	}
	return true
}

// checkConsumer tests the consumer or application link with a token
// request where no person is needed (client-credentials, jwt, the
// 2-legged OAuth 1 grants), as login does: the new token replaces the
// stored one. Grants that ask a person are only described.
func (d *doctorRun) checkConsumer(ctx context.Context, t *target) {
	remote, name := t.display(), t.settings.Grant
	switch {
	case name == grant.Static:
		d.add("consumer", remote, checkSkipped, "a static token has no consumer: status --check asks the server about the token", "")
		return
	case grant.IsInteractive(name):
		d.probeConsumer(ctx, t)
		return
	}
	rec, err := d.r.obtain(ctx, t, obtainRequest{login: true})
	if err != nil {
		d.add("consumer", remote, checkError, fmt.Sprintf("a token request (grant %s) failed: %v", name, err),
			"fix what the message names, then run git-credential-bitbucket doctor "+remote+" again")
		return
	}
	d.add("consumer", remote, checkOK, fmt.Sprintf("a token request (grant %s) succeeded: account %s, valid until %s; the token is kept in the store", name, d.r.account(ctx, t, rec), expiryText(rec.Expiry)), "")
}

// probeConsumer tests the consumer or link of a grant that asks a person
// with the provider's preflight (the check configure and login make, with
// no person: the authorize page and a code exchange for a code never
// issued on Cloud and DC OAuth 2, a request token for OAuth 1); the
// consent itself needs the person's login.
func (d *doctorRun) probeConsumer(ctx context.Context, t *target) {
	remote, name := t.display(), t.settings.Grant
	_, ok, err := d.r.preflight(ctx, t)
	switch {
	case !ok:
		d.add("consumer", remote, checkSkipped, name+" needs a person to test the consumer: run git-credential-bitbucket login "+remote, "")
	case err != nil:
		d.add("consumer", remote, checkError, "the server refused the "+name+" settings: "+err.Error(),
			"fix what the message names, then run git-credential-bitbucket doctor "+remote+" again")
	default:
		d.add("consumer", remote, checkOK, "the server accepted the "+name+" settings, checked with no person (the consent itself needs one: git-credential-bitbucket login "+remote+")", "")
	}
}
