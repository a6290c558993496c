package cacheport

import (
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// TestReloadKeepsTheCache: new refresh rules apply to new responses, objects already in
// memory stay, and an invalid configuration changes nothing.
func TestReloadKeepsTheCache(t *testing.T) {
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "index") })
	gw := startGateway(t, origin, &config.Config{Cache: &config.Cache{RefreshRules: []config.RefreshRule{{Pattern: "/a$", Min: "1h"}}}})
	c := gw.client(t)
	get(t, c, origin.URL+"/a")
	if err := gw.Reload(&config.Config{Cache: &config.Cache{RefreshRules: []config.RefreshRule{{Pattern: "/b$", Min: "1h"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := gw.Reload(&config.Config{Cache: &config.Cache{RefreshRules: []config.RefreshRule{{Pattern: "("}}}}); err == nil {
		t.Error("a reload with a broken pattern was accepted")
	}
	for range 2 {
		get(t, c, origin.URL+"/a") // still cached from before the reload
		get(t, c, origin.URL+"/b") // cached by the new rule
	}
	if n := origin.requests.Load(); n != 2 {
		t.Errorf("origin got %d requests, want 2 (/a before the reload, /b once)", n)
	}
}

// TestTLSMinimum: a client offering less than the configured minimum cannot handshake.
func TestTLSMinimum(t *testing.T) {
	origin := startOrigin(t, true, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	gw := startGateway(t, origin, &config.Config{TLSMinVersion: "1.3"})
	for _, tc := range []struct {
		max    uint16
		wantOK bool
	}{{tls.VersionTLS12, false}, {tls.VersionTLS13, true}} {
		conn, err := net.Dial("tcp", gw.addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(conn, "CONNECT "+originHost+":443 HTTP/1.1\r\nHost: "+originHost+":443\r\n\r\n")
		buf := make([]byte, len("HTTP/1.1 200 Connection established\r\n\r\n"))
		if _, err := io.ReadFull(conn, buf); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 200") {
			t.Fatalf("CONNECT answer %q, %v", buf, err)
		}
		tc2 := tls.Client(conn, &tls.Config{ServerName: originHost, RootCAs: gw.ca, MaxVersion: tc.max})
		err = tc2.Handshake()
		conn.Close()
		if (err == nil) != tc.wantOK {
			t.Errorf("client with TLS max %x: handshake error %v, want success=%v", tc.max, err, tc.wantOK)
		}
	}
}

// TestOriginFailureLogged: the reason an origin was refused is in the log, without the
// query string.
func TestOriginFailureLogged(t *testing.T) {
	origin := startOrigin(t, true, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "secret") })
	origin.caPEM = ""
	var logs syncBuffer
	gw := startGateway(t, origin, nil, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	resp, _ := get(t, gw.client(t), "https://"+originHost+"/x?token=hunter2")
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	out := logs.String()
	if !strings.Contains(out, "certificate signed by unknown authority") || strings.Contains(out, "hunter2") {
		t.Errorf("log %s: want the certificate error and no query string", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
