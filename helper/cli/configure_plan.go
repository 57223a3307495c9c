package cli

import (
	"github.com/bbcred/git-credential-bitbucket/helper/datacenter"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// configurePlan is what configure will do, computed without changing
// anything: the git-config settings to write, the secret to keep in a
// file, and whether the server checks the settings first. The second
// step; applyConfigure is the third.
type configurePlan struct {
	o          *configureOptions
	settings   []configSetting
	secret     string // read from stdin, to write to a secret file; "" for none
	secretName string // the secret file's name: client-secret or jwt-shared-secret
	check      bool   // ask the server before saving anything
}

// planConfigure reads the files and the secret o names (checking each)
// and lists the settings to write.
func (r *run) planConfigure(o *configureOptions) (*configurePlan, error) {
	p := &configurePlan{o: o, check: !o.noCheck, settings: []configSetting{{"kind", o.kind}, {"grant", o.grant}}}
	for _, s := range []configSetting{
		{"clientId", o.clientID}, {"consumerKey", o.consumerKey}, {"user", o.user},
		{"scopes", o.scopes}, {"redirectURL", o.redirectURL}, {"apiURL", o.apiURL},
		{"jwtKey", o.jwtKey}, {"jwtClientKey", o.jwtClientKey}, {"authtype", o.authType},
	} {
		p.add(s.key, s.value)
	}
	if o.privateKeyFile != "" {
		path, err := r.absFile(o.privateKeyFile)
		if err != nil {
			return nil, err
		}
		if err := datacenter.CheckPrivateKeyFile(path); err != nil {
			return nil, err
		}
		p.add("privateKeyFile", path)
	}
	switch {
	case o.clientSecretFile != "":
		path, err := r.absFile(o.clientSecretFile)
		if err != nil {
			return nil, err
		}
		if _, err := gitconfig.ReadSecretFile(path); err != nil {
			return nil, err
		}
		p.add("clientSecretFile", path)
	case o.clientSecretIn || o.jwtSecretIn:
		// The Connect shared secret is the jwt grant's client secret: it
		// goes to clientSecretFile too (design has no separate file key).
		secret, err := r.readSecretIn()
		if err != nil {
			return nil, err
		}
		r.red.add(secret)
		p.secret, p.secretName = secret, "client-secret"
		if o.jwtSecretIn {
			p.secretName = "jwt-shared-secret"
		}
	}
	return p, nil
}

// add plans a setting with a value.
func (p *configurePlan) add(key, value string) {
	if value != "" {
		p.settings = append(p.settings, configSetting{key, value})
	}
}
