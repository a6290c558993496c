package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBackendCountsServedRequestsButNotItsCounter(t *testing.T) {
	srv := httptest.NewServer(&handler{})
	defer srv.Close()

	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		return string(body)
	}
	if got := get("/?a=1&b=2"); got != "ok\n" {
		t.Errorf("body = %q, want ok", got)
	}
	resp, err := http.Post(srv.URL+"/api", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get(ServedPath) // not counted itself
	if got := get(ServedPath); got != "2\n" {
		t.Errorf("served = %q, want 2", got)
	}
}
