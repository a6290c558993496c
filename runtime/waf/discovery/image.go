package discovery

import "strings"

// NormalizeImage returns the repository an image reference names, in the canonical form
// Docker itself uses, with tag and digest removed:
//
//	httpd, httpd:2.4, docker.io/httpd, index.docker.io/library/httpd:latest → docker.io/library/httpd
//	registry.example.com:5000/team/app:1                                   → registry.example.com:5000/team/app
//
// The first path component is a registry when it contains "." or ":" or is "localhost";
// otherwise the image is on Docker Hub, whose single-name images live under "library/".
// A ":" before the last "/" is a registry port, not a tag.
func NormalizeImage(ref string) string {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i] // digest
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i] // tag
	}
	if ref == "" {
		return ""
	}
	registry, path := "docker.io", ref
	if first, rest, found := strings.Cut(ref, "/"); found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		registry, path = first, rest
	}
	if registry == "index.docker.io" {
		registry = "docker.io"
	}
	if registry == "docker.io" && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	return registry + "/" + path
}

// looksLikeImageID reports whether an image reference is an image ID rather than a name:
// "sha256:…", or a bare hexadecimal ID (full or short) as `docker run 3f2a9b1c2d3e` gives.
func looksLikeImageID(ref string) bool {
	if strings.HasPrefix(ref, "sha256:") {
		return true
	}
	if len(ref) < 12 || len(ref) > 64 {
		return false
	}
	for _, r := range ref {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
