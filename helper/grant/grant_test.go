package grant

import (
	"slices"
	"testing"
)

func TestDerivedLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"Of server and datacenter", Of(KindServer, KindDataCenter), []string{OAuth1, OAuth1TwoLegged, OAuth1Impersonate, OAuth2}},
		{"Of cloud", Of(KindCloud), []string{AuthorizationCode, ClientCredentials, JWT}},
		{"Names cloud", Names(true), []string{AuthorizationCode, ClientCredentials, JWT, Static}},
		{"All has implicit", All(), []string{AuthorizationCode, ClientCredentials, Implicit, JWT, OAuth1, OAuth1TwoLegged, OAuth1Impersonate, OAuth2, Static}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for name, want := range map[string]string{OAuth2: KindDataCenter, OAuth1: KindServer, Static: KindCloud, "nope": KindCloud} {
		if got := InferKind(name); got != want {
			t.Errorf("InferKind(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestIsOAuth1(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{OAuth1: true, OAuth1TwoLegged: true, OAuth1Impersonate: true, OAuth2: false, Static: false, "oauth1-other": false} {
		if got := IsOAuth1(name); got != want {
			t.Errorf("IsOAuth1(%q) = %v, want %v", name, got, want)
		}
	}
}
