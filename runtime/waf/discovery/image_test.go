package discovery

import "testing"

func TestNormalizeImage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"httpd", "docker.io/library/httpd"},
		{"httpd:2.4", "docker.io/library/httpd"},
		{"docker.io/httpd", "docker.io/library/httpd"},
		{"docker.io/library/httpd", "docker.io/library/httpd"},
		{"index.docker.io/library/httpd:latest", "docker.io/library/httpd"},
		{"httpd@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/httpd"},
		{"httpd:2.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/httpd"},
		{"  HTTPD:2.4 ", "docker.io/library/httpd"},
		{"bitnami/nginx:1.25", "docker.io/bitnami/nginx"},
		{"registry.example.com:5000/team/app:1", "registry.example.com:5000/team/app"},
		{"registry.example.com:5000/team/app", "registry.example.com:5000/team/app"},
		{"registry.example.com/app", "registry.example.com/app"},
		{"localhost/app:dev", "localhost/app"},
		{"localhost:5000/app", "localhost:5000/app"},
		{"ghcr.io/org/team/app:v2", "ghcr.io/org/team/app"},
		// One name: a port-looking suffix is a tag, as Docker reads it.
		{"registry:5000", "docker.io/library/registry"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeImage(tt.in); got != tt.want {
			t.Errorf("NormalizeImage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLooksLikeImageID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"sha256:a883f179b4c64cd5c49e6faa40eb8cbcff5e8681bba928301524474499342407", true},
		{"a883f179b4c64cd5c49e6faa40eb8cbcff5e8681bba928301524474499342407", true},
		{"a883f179b4c6", true},
		{"httpd", false},
		{"httpd:2.4", false},
		{"deadbeef", false}, // too short to be an ID: a name
		{"cafe-babe-1234", false},
	}
	for _, tt := range tests {
		if got := looksLikeImageID(tt.in); got != tt.want {
			t.Errorf("looksLikeImageID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func BenchmarkNormalizeImage(b *testing.B) {
	for b.Loop() {
		NormalizeImage("index.docker.io/library/httpd:2.4")
	}
}
