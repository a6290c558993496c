package main

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestEndpointOf(t *testing.T) {
	tests := []struct{ url, want string }{
		{"/v1.41/containers/abc123/json", "/containers/{id}/json"},
		{"/v1.41/containers/rampart-waf.x--0001-1a2b/stop?t=10", "/containers/{id}/stop"},
		{"/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%7B%22rampart.lineage%3Dx%22%3Atrue%7D%7D", "/containers/json?filters=label"},
		{"/v1.41/containers/json?all=1&limit=1&filters=%7B%22ancestor%22%3A%7B%22sha256%3Aab%22%3Atrue%7D%7D", "/containers/json?filters=ancestor"},
		{"/v1.41/containers/create?name=x", "/containers/create"},
		{"/v1.41/containers/abc/archive?path=%2Fetc%2Frampart", "/containers/{id}/archive"},
		{"/v1.41/images/rampart/waf:0.1.0-abc/json", "/images/{id}/json"},
		{"/v1.41/images/rampart/waf:0.1.0-abc", "/images/{id}"},
		{"/v1.41/images/json?filters=%7B%22label%22%3A%7B%22rampart.kind%22%3Atrue%7D%7D", "/images/json?filters=label"},
		{"/v1.41/networks/dockerbench-x-n10", "/networks/{id}"},
		{"/_ping", "/_ping"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := endpointOf(u); got != tt.want {
			t.Errorf("endpointOf(%s) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestPrintCalls(t *testing.T) {
	var b strings.Builder
	printCalls(&b, "N=2 rampart destroy", map[string]*callStats{
		"POST /containers/{id}/stop":            {count: 2, total: 3 * time.Second},
		"GET /containers/json?filters=ancestor": {count: 2, total: 400 * time.Millisecond},
		"DELETE /containers/{id}":               {count: 2, total: time.Second},
	})
	out := b.String()
	if !strings.HasPrefix(out, "N=2 rampart destroy: 6 Docker API calls, 4.40 s of engine time") {
		t.Errorf("summary line wrong:\n%s", out)
	}
	stop, list := strings.Index(out, "/stop"), strings.Index(out, "ancestor")
	if stop < 0 || list < 0 || stop > list {
		t.Errorf("calls not listed most time-consuming first:\n%s", out)
	}
	if !strings.Contains(out, "1500.0 ms each") {
		t.Errorf("per-call time missing:\n%s", out)
	}
}
