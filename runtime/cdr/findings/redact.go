package findings

import "net/url"

// redactURL keeps only scheme, host and path of a URL for error messages, so tokens in
// user info or query strings never reach the logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
