package toolkits

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// A URL template is a base URL or identity URL whose host has
// placeholders filled from a connected account's fields:
// "https://{subdomain}.zendesk.com/api/v2". The rules keep an account's
// credentials on the hosts the toolkit names:
//
//   - a placeholder is a whole label of the host, and only of the host;
//   - after the last placeholder the host keeps a fixed suffix of at least
//     two labels ("zendesk.com"), or is under "localhost" (RFC 6761 §6.3,
//     never leaving the machine);
//   - each placeholder names a required, non-secret field of every auth
//     scheme of the toolkit (so OAUTH2 authorization code and NO_AUTH,
//     which have no fields, cannot use one);
//   - a value is one DNS label (RFC 1123 §2.1: letters, digits and
//     hyphens, 1 to 63 characters, neither starting nor ending with a
//     hyphen), checked when the account connects and again on each use,
//     so the filled host is always <value>.<fixed suffix>.

// urlPlaceholderRE matches one placeholder of a URL template.
var urlPlaceholderRE = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

// labelRE is a DNS label (RFC 1123 §2.1).
var labelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// IsTemplate reports whether a URL has placeholders.
func IsTemplate(raw string) bool { return strings.ContainsAny(raw, "{}") }

// Placeholders returns the names of a URL template's placeholders, in
// order and without duplicates.
func Placeholders(tmpl string) []string {
	var names []string
	for _, m := range urlPlaceholderRE.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

// TemplateSample fills every placeholder of a URL template with "x": a
// URL with the template's scheme, fixed host suffix, port and path, for
// checks that need a URL, such as which site a toolkit is on.
func TemplateSample(tmpl string) string {
	return urlPlaceholderRE.ReplaceAllString(tmpl, "x")
}

// checkTemplate validates the shape of a URL template at load time.
func checkTemplate(p *problems, field, tmpl string) {
	rest := urlPlaceholderRE.ReplaceAllString(tmpl, "")
	if strings.ContainsAny(rest, "{}") {
		p.add(field, "placeholders must be {name}, with name a lower case field name, got %q", tmpl)
		return
	}
	scheme, afterScheme, ok := strings.Cut(tmpl, "://")
	if !ok || scheme != "https" {
		p.add(field, "must be an absolute https URL, got %q", tmpl)
		return
	}
	hostPort := afterScheme
	if i := strings.IndexAny(afterScheme, "/?#"); i >= 0 {
		hostPort = afterScheme[:i]
		if urlPlaceholderRE.MatchString(afterScheme[i:]) {
			p.add(field, "placeholders are only allowed in the host, got %q", tmpl)
			return
		}
	}
	host, _, _ := strings.Cut(hostPort, ":")
	labels := strings.Split(host, ".")
	last := -1
	for i, l := range labels {
		switch {
		case urlPlaceholderRE.MatchString(l) && urlPlaceholderRE.FindString(l) != l:
			p.add(field, "a placeholder must be a whole label of the host, got %q", l)
			return
		case urlPlaceholderRE.MatchString(l):
			last = i
		}
	}
	fixed := labels[last+1:]
	if len(fixed) < 2 && !(len(fixed) == 1 && strings.EqualFold(fixed[0], "localhost")) {
		p.add(field, "the host must keep a fixed suffix of at least two labels after its last placeholder (as {subdomain}.zendesk.com), got %q", host)
		return
	}
	p.httpsURL(field, TemplateSample(tmpl))
}

// checkTemplateFields checks that every placeholder of a URL template
// names a required, non-secret field of every auth scheme of t.
func checkTemplateFields(p *problems, field, tmpl string, t Toolkit) {
	for _, name := range Placeholders(tmpl) {
		for i, s := range t.AuthSchemes {
			at := fmt.Sprintf("auth_schemes[%d]", i)
			f, ok := s.field(name)
			switch {
			case !ok:
				p.add(field, "placeholder {%s} must name a field of every auth scheme, but %s (%s) has none named %q", name, at, s.Mode, name)
			case !f.Required || f.Secret:
				p.add(field, "placeholder {%s} must name a required, non-secret field, but %s.fields %q is not", name, at, name)
			}
		}
	}
}

// field returns the scheme's field of the given name.
func (s AuthScheme) field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// TemplateError is an invalid value for a URL template's placeholder.
type TemplateError struct {
	// Field is the placeholder, the name of the connection field.
	Field string
	// Message says what is wrong, for the end user or the application.
	Message string
}

func (e *TemplateError) Error() string { return e.Field + ": " + e.Message }

// FillURL fills a URL template's placeholders with values, each of which
// must be one DNS label; a URL without placeholders is returned as it is.
// The error is a *TemplateError naming the field. The filled host is
// checked to end with the template's fixed suffix, which the value rule
// already ensures.
func FillURL(tmpl string, values map[string]string) (string, error) {
	if !IsTemplate(tmpl) {
		return tmpl, nil
	}
	for _, name := range Placeholders(tmpl) {
		v := values[name]
		if !labelRE.MatchString(v) {
			return "", &TemplateError{Field: name, Message: fmt.Sprintf(
				"must be one DNS label (letters, digits and hyphens, at most 63, not starting or ending with a hyphen), got %q", v)}
		}
	}
	out := urlPlaceholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		return strings.ToLower(values[m[1:len(m)-1]])
	})
	u, err := url.Parse(out)
	sample, serr := url.Parse(TemplateSample(tmpl))
	if err != nil || serr != nil || u.Port() != sample.Port() || !strings.HasSuffix(u.Hostname(), fixedSuffix(tmpl)) {
		return "", &TemplateError{Field: Placeholders(tmpl)[0], Message: "does not give a host under the toolkit's own domain"}
	}
	return out, nil
}

// fixedSuffix is the part of a template's host after its last
// placeholder, lower case, with the dot before it: ".zendesk.com".
func fixedSuffix(tmpl string) string {
	_, rest, _ := strings.Cut(tmpl, "://")
	if i := strings.IndexAny(rest, "/?#:"); i >= 0 {
		rest = rest[:i]
	}
	labels := strings.Split(rest, ".")
	last := 0
	for i, l := range labels {
		if urlPlaceholderRE.MatchString(l) {
			last = i
		}
	}
	return "." + strings.ToLower(strings.Join(labels[last+1:], "."))
}

// URLs returns t's base URL and identity URL (when it has an identity
// request) filled from an account's field values; the error is a
// *TemplateError naming the field at fault.
func (t Toolkit) URLs(values map[string]string) (base, identity string, err error) {
	if base, err = FillURL(t.BaseURL, values); err != nil {
		return "", "", err
	}
	if t.Identity != nil {
		if identity, err = FillURL(t.Identity.URL, values); err != nil {
			return "", "", err
		}
	}
	return base, identity, nil
}

// TemplateFields returns the names of the connection fields t's URLs
// (base, identity, client credentials token URLs) are filled from, without
// duplicates; none for a toolkit without templates.
func (t Toolkit) TemplateFields() []string {
	urls := []string{t.BaseURL}
	if t.Identity != nil {
		urls = append(urls, t.Identity.URL)
	}
	for _, s := range t.AuthSchemes {
		if s.ClientCredentials() {
			urls = append(urls, s.OAuth2.TokenURL)
		}
	}
	var names []string
	for _, u := range urls {
		for _, n := range Placeholders(u) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}
