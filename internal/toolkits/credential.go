package toolkits

import (
	"errors"
	"net/http"
)

// Set puts a credential value on req where a says: in a header, after
// Prefix, or in a query parameter, replacing any value the request already
// had there.
func (a Apply) Set(req *http.Request, value string) error {
	switch {
	case a.Header != "":
		req.Header.Set(a.Header, a.Prefix+value)
	case a.Query != "":
		q := req.URL.Query()
		q.Set(a.Query, a.Prefix+value)
		req.URL.RawQuery = q.Encode()
	default:
		return errors.New("the toolkit does not say where its credential goes")
	}
	return nil
}

// Authorize puts the credentials of an account connected through s's form
// on req, as every request to the provider carries them: BASIC as an RFC
// 7617 Basic Authorization header of the username and password fields,
// any other scheme the field Apply names, where Apply says.
func (s AuthScheme) Authorize(req *http.Request, fields map[string]string) error {
	if s.Mode == ModeBasic {
		req.SetBasicAuth(fields["username"], fields["password"])
		return nil
	}
	return s.Apply.Set(req, fields[s.Apply.Field])
}
