package tokenstore

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRecordPrintingRedactsSecrets(t *testing.T) {
	t.Parallel()
	r := Record{
		Key:               Key{Protocol: "https", Host: "bitbucket.org", Username: "alice"},
		Kind:              "cloud",
		GitUsername:       "x-token-auth",
		AccessToken:       "SECRET-ACCESS",
		RefreshToken:      "SECRET-REFRESH",
		OAuth1Token:       "SECRET-O1",
		OAuth1TokenSecret: "SECRET-O1S",
		Expiry:            time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC),
		Account:           "alice-account",
	}
	type wrapper struct {
		Rec  Record
		Ptr  *Record
		List []*Record
	}
	outputs := map[string]string{
		"%v":            fmt.Sprintf("%v", r),
		"%+v":           fmt.Sprintf("%+v", r),
		"%#v":           fmt.Sprintf("%#v", r),
		"%s":            fmt.Sprintf("%s", r),
		"%q":            fmt.Sprintf("%q", r),
		"%x":            fmt.Sprintf("%x", r),
		"%v pointer":    fmt.Sprintf("%v", &r),
		"%+v pointer":   fmt.Sprintf("%+v", &r),
		"%#v pointer":   fmt.Sprintf("%#v", &r),
		"%+v in struct": fmt.Sprintf("%+v", wrapper{r, &r, []*Record{&r}}),
		"%#v in struct": fmt.Sprintf("%#v", wrapper{r, &r, []*Record{&r}}),
		"%v slice":      fmt.Sprintf("%v", []*Record{&r, &r}),
		"String":        r.String(),
		"GoString":      r.GoString(),
		"Println":       fmt.Sprintln(r, &r),
		"Redacted":      fmt.Sprintf("%+v", plainRecord(r.Redacted())),
		"%v with width": fmt.Sprintf("%200v", r),
		"Errorf":        fmt.Errorf("wrap: %v", &r).Error(),
	}
	for name, out := range outputs {
		if strings.Contains(out, "SECRET") {
			t.Errorf("%s leaks a secret: %s", name, out)
		}
	}
	for _, name := range []string{"%v", "%+v", "%#v", "String", "GoString"} {
		out := outputs[name]
		if !strings.Contains(out, "[redacted]") || !strings.Contains(out, "alice-account") {
			t.Errorf("%s = %s; want [redacted] secrets and the other fields", name, out)
		}
	}
	if out := outputs["%#v"]; !strings.HasPrefix(out, "tokenstore.Record{") {
		t.Errorf("%%#v = %s; want it to start with tokenstore.Record{", out)
	}
	if out := outputs["%+v"]; !strings.Contains(out, "AccessToken:[redacted]") {
		t.Errorf("%%+v = %s; want AccessToken:[redacted]", out)
	}

	// Empty secrets stay empty, so printing shows which secrets exist.
	empty := Record{AccessToken: "SECRET"}
	if got := fmt.Sprintf("%+v", empty); !strings.Contains(got, "RefreshToken: ") || strings.Count(got, "[redacted]") != 1 {
		t.Errorf("%%+v = %s; want only AccessToken redacted", got)
	}
	// Redacted leaves r alone.
	if r.AccessToken != "SECRET-ACCESS" {
		t.Errorf("printing modified the record")
	}
	var nilRec *Record
	if got := fmt.Sprintf("%v", nilRec); got != "<nil>" {
		t.Errorf("%%v of a nil *Record = %q, want <nil>", got)
	}
}

// TestSecretsAreWhatRedactedHides: Secrets lists exactly the fields
// Redacted hides, so a redactor fed Secrets hides what printing hides.
func TestSecretsAreWhatRedactedHides(t *testing.T) {
	t.Parallel()
	var r Record
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(fmt.Sprintf("value-of-%s", v.Type().Field(i).Name))
		}
	}
	red := reflect.ValueOf(r.Redacted())
	var hidden []string
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && red.Field(i).String() != f.String() {
			hidden = append(hidden, f.String())
		}
	}
	if got := r.Secrets(); !slices.Equal(got, hidden) || len(got) != 4 {
		t.Errorf("Secrets() = %q, Redacted hides %q", got, hidden)
	}
}
