package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBackendReflect(t *testing.T) {
	b, err := startBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.close)
	cases := []struct {
		name, method, path, body string
		status                   int
		respBody, header         string
	}{
		{"default answers 200, empty", "GET", "/get?x=1", "", 200, "", ""},
		{"reflect body", "POST", "/reflect", `{"body":"ODBC Driver error"}`, 200, "ODBC Driver error", ""},
		{"reflect status, headers, encoded body", "POST", "/reflect", `{"status":503,"headers":{"X-Test":"yes"},"encodedBody":"aGk="}`, 503, "hi", "yes"},
		{"bad json", "POST", "/reflect", `{`, 400, "Invalid JSON in request body\n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, "http://"+b.addr()+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || string(body) != tc.respBody || resp.Header.Get("X-Test") != tc.header {
				t.Errorf("got %d %q X-Test=%q, want %d %q %q", resp.StatusCode, body, resp.Header.Get("X-Test"), tc.status, tc.respBody, tc.header)
			}
		})
	}
}

// TestBackendAnswersConnect: like albedo, the backend answers every request with 200,
// also CONNECT host:port, which has no path to route by.
func TestBackendAnswersConnect(t *testing.T) {
	b, err := startBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.close)
	conn, err := net.Dial("tcp", b.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "CONNECT 1.2.3.4:80 HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("CONNECT answered %d, want 200", resp.StatusCode)
	}
}
