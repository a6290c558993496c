package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart/internal/freeport"
)

func TestPseudoRandomIsStableAndDistinct(t *testing.T) {
	a, b := pseudoRandom(1001, 7), pseudoRandom(1001, 7)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different bytes")
	}
	if bytes.Equal(a, pseudoRandom(1001, 8)) {
		t.Error("different seeds, same bytes")
	}
	if len(a) != 1001 {
		t.Errorf("length %d", len(a))
	}
}

// The origin answers over plain HTTP and over TLS with the run's origin certificate, and
// counts what it served (the cache rows rely on the count).
func TestOriginServesAndCounts(t *testing.T) {
	p, err := newPKI()
	if err != nil {
		t.Fatal(err)
	}
	o, err := startOrigin(loopback(freeport.Port(t)), loopback(freeport.Port(t)), p.origin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.close)

	direct := func(path string) (*http.Response, error) {
		return http.Get("http://" + o.HTTPAddr + path)
	}
	resp, err := direct(objectPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "public, max-age=3600" || resp.ContentLength != objectSize {
		t.Errorf("object: Cache-Control %q, length %d", resp.Header.Get("Cache-Control"), resp.ContentLength)
	}
	if got := o.served(objectPath); got != 1 {
		t.Errorf("served(object) = %d, want 1", got)
	}

	tc, err := tls.Dial("tcp", o.TLSAddr, &tls.Config{ServerName: originHost, RootCAs: p.originCA.pool()})
	if err != nil {
		t.Fatal(err)
	}
	conn := &clientConn{conn: tc, br: bufio.NewReader(tc), host: originHost}
	defer conn.close()
	var body bytes.Buffer
	status, n, err := conn.get(smallPath, &body, make([]byte, 4096))
	if err != nil || status != http.StatusOK || n != smallSize || !bytes.Equal(body.Bytes(), o.small) {
		t.Errorf("small over TLS: status %d, %d bytes, err %v", status, n, err)
	}
}
