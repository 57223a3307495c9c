package cli

import (
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"net"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
)

// challengeHint prints one line on stderr when a remote that is not ours
// answered git with Bitbucket Server's challenge (Basic realm="Atlassian
// Bitbucket", which git 2.41+ forwards as wwwauth[]): it names the
// configure command that would make it ours. It prints nothing for any
// other realm, for plain http to a host that is not loopback (the helper
// would refuse it), and for hosts dressed up as bitbucket.org: suggesting
// to send credentials there would help a phishing host.
func (r *run) challengeHint(req *gitcred.Request) {
	if !datacenter.IsServerChallenge(req.WWWAuth) {
		return
	}
	if _, ok := remoteURL(req.Protocol, req.Host, ""); !ok || (req.Protocol == "http" && !loopback.Is(req.Host)) {
		return
	}
	if looksLikeCloud(req.Host) {
		r.msg.tracef("%s imitates bitbucket.org: no hint", req.Host)
		return
	}
	path, known := scmContextPath(req.Path)
	r.msg.errorf("%s", datacenter.ChallengeHint(remoteDisplay(req.Protocol, req.Host, path), known))
}

// looksLikeCloud reports whether host (not bitbucket.org itself, which is
// always ours) resembles it: "bitbucket.org" spelled into the name with
// any separators or on another port, an internationalised (possibly
// homograph) name, or any non-ASCII character.
func looksLikeCloud(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.ToLower(h)
	var alnum strings.Builder
	for _, c := range h {
		switch {
		case c > 0x7f:
			return true
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			alnum.WriteRune(c)
		}
	}
	if strings.Contains(alnum.String(), "bitbucketorg") {
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if strings.HasPrefix(label, "xn--") {
			return true
		}
	}
	return false
}
