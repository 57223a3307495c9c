package conformance

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// approve opens authorizeURL without following redirects. A redirect or an
// error page is returned as is; a consent page (an HTML form) is approved by
// submitting its form with the approving button, and the answer to that is
// returned. The caller closes the response body.
func approve(ctx context.Context, base *http.Client, authorizeURL string) (*http.Response, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	c := &http.Client{Transport: base.Transport, Timeout: base.Timeout, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "html") {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("consent: read page: %w", err)
	}
	f, ok := findConsentForm(string(body))
	if !ok {
		// An error page (or an out-of-band verifier page): hand it back.
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		return resp, nil
	}
	action, err := resp.Request.URL.Parse(f.action)
	if err != nil {
		return nil, fmt.Errorf("consent: form action %q: %w", f.action, err)
	}
	var sreq *http.Request
	if f.method == http.MethodGet {
		action.RawQuery = f.values.Encode()
		sreq, err = http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
	} else {
		sreq, err = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(f.values.Encode()))
		if sreq != nil {
			sreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	sresp, err := c.Do(sreq)
	if err != nil {
		return nil, fmt.Errorf("consent: submit: %w", err)
	}
	return sresp, nil
}

type htmlForm struct {
	action, method string
	values         url.Values
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

// findConsentForm picks the form with an approving control and returns its
// values as a browser would submit them when that control is clicked.
func findConsentForm(page string) (htmlForm, bool) {
	for _, fm := range formRE.FindAllStringSubmatch(page, -1) {
		fa := attrs(fm[1])
		f := htmlForm{action: fa["action"], method: strings.ToUpper(fa["method"]), values: url.Values{}}
		if f.method == "" {
			f.method = http.MethodGet
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
					f.values.Set(name, a["value"])
				}
			case "checkbox", "radio":
				if strings.Contains(strings.ToLower(in[2]), "checked") && name != "" {
					f.values.Add(name, valueOr(a["value"], "on"))
				}
			default:
				if name != "" {
					f.values.Add(name, a["value"])
				}
			}
		}
		if approved {
			return f, true
		}
	}
	return htmlForm{}, false
}

func valueOr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
