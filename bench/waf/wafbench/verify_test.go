package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeWAF blocks JSON bodies containing "evil" and query strings containing "UNION",
// logging like ModSecurity does.
func fakeWAF(t *testing.T, logPath string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Host != benchHost {
			w.WriteHeader(http.StatusForbidden) // as CRS 920350 would for a numeric Host
			return
		}
		if strings.Contains(string(body), "evil") || strings.Contains(r.URL.RawQuery, "UNION") {
			f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
			if err == nil {
				_, _ = f.WriteString(`ModSecurity: Access denied with code 403 [id "942100"] [msg "SQL Injection"]` + "\n")
				f.Close()
			}
			w.WriteHeader(http.StatusForbidden)
			return
		}
	}))
}

func TestVerifyPasses(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "error.log")
	srv := fakeWAF(t, logPath)
	defer srv.Close()
	benign := []benchRequest{
		{Case: "get-4-args", Method: "GET", Path: getPath},
		{Case: "json-post-2k", Method: "POST", Path: postPath, ContentType: "application/json", Body: jsonPostBody()},
	}
	if err := verifyPasses("fake", srv.URL, logPath, benign); err != nil {
		t.Fatalf("benign requests refused: %v", err)
	}
	blocked := append(benign, benchRequest{Case: "evil-post", Method: "POST", Path: postPath, Body: []byte(`{"a":"evil"}`)})
	err := verifyPasses("fake", srv.URL, logPath, blocked)
	if err == nil {
		t.Fatal("a blocked request passed verification")
	}
	for _, want := range []string{"answered 403", "evil-post", `[id "942100"]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestVerifyBlocks(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "error.log")
	srv := fakeWAF(t, logPath)
	defer srv.Close()
	if err := verifyBlocks("fake", srv.URL); err != nil {
		t.Errorf("an attack the WAF blocks failed verification: %v", err)
	}
	open := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer open.Close()
	if err := verifyBlocks("open", open.URL); err == nil || !strings.Contains(err.Error(), "not blocking") {
		t.Errorf("verifyBlocks on a server without rules = %v, want an error", err)
	}
}
