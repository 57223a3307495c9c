package scripttest

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Form is an HTML form as a browser would submit it.
type Form struct {
	Action, Method string
	Values         url.Values
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRE = regexp.MustCompile(`(?is)<(input|button)\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))`)
	denyRE  = regexp.MustCompile(`(?i)deny|cancel|reject|refuse|decline`)
	allowRE = regexp.MustCompile(`(?i)approve|allow|accept|grant|authori[sz]e|yes|confirm`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		v := a[3] + a[4] + a[5]
		m[strings.ToLower(a[1])] = html.UnescapeString(v)
	}
	return m
}

// ConsentForm picks the form of page with an approving control and returns
// its values as a browser would submit them when that control is clicked;
// false for a page without one (an error page, an out-of-band verifier).
func ConsentForm(page string) (Form, bool) {
	for _, fm := range formRE.FindAllStringSubmatch(page, -1) {
		fa := attrs(fm[1])
		f := Form{Action: fa["action"], Method: strings.ToUpper(fa["method"]), Values: url.Values{}}
		if f.Method == "" {
			f.Method = http.MethodGet
		}
		approved := false
		for _, in := range inputRE.FindAllStringSubmatch(fm[2], -1) {
			a := attrs(in[2])
			typ := strings.ToLower(a["type"])
			if strings.EqualFold(in[1], "button") && typ == "" {
				typ = "submit"
			}
			name := a["name"]
			switch typ {
			case "submit", "image":
				label := name + " " + a["value"] + " " + a["id"]
				if approved || denyRE.MatchString(label) || !allowRE.MatchString(label) {
					continue
				}
				approved = true
				if name != "" {
					f.Values.Set(name, a["value"])
				}
			case "checkbox", "radio":
				if strings.Contains(strings.ToLower(in[2]), "checked") && name != "" {
					f.Values.Add(name, valueOr(a["value"], "on"))
				}
			default:
				if name != "" {
					f.Values.Add(name, a["value"])
				}
			}
		}
		if approved {
			return f, true
		}
	}
	return Form{}, false
}

func valueOr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
