package protocol

import (
	"bytes"
	"crypto/tls"
	"net"
	"strings"
	"testing"
)

// handshake runs a TLS handshake between the two configurations over an in-memory pipe.
func handshake(client, server *tls.Config) (clientErr, serverErr error) {
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	done := make(chan error, 1)
	go func() { done <- tls.Server(s, server).Handshake() }()
	clientErr = tls.Client(c, client).Handshake()
	if clientErr != nil {
		c.Close() // unblock the server
	}
	return clientErr, <-done
}

func TestPluginTLSHandshake(t *testing.T) {
	client, bundle, err := NewPluginTLS()
	if err != nil {
		t.Fatal(err)
	}
	server, err := ServerTLS(bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	if cErr, sErr := handshake(client, server); cErr != nil || sErr != nil {
		t.Fatalf("engine and its plugin: client %v, server %v", cErr, sErr)
	}

	// Another engine's plugin is not this engine's plugin, and the other way round.
	otherClient, otherBundle, err := NewPluginTLS()
	if err != nil {
		t.Fatal(err)
	}
	otherServer, err := ServerTLS(bytes.NewReader(otherBundle))
	if err != nil {
		t.Fatal(err)
	}
	if cErr, sErr := handshake(client, otherServer); cErr == nil && sErr == nil {
		t.Error("the engine accepted a plugin it did not start")
	}
	if cErr, sErr := handshake(otherClient, server); cErr == nil && sErr == nil {
		t.Error("the plugin accepted an engine that did not start it")
	}
}

func TestServerTLSRejectsBadBundles(t *testing.T) {
	_, bundle, err := NewPluginTLS()
	if err != nil {
		t.Fatal(err)
	}
	withoutKey := strings.Replace(string(bundle), pemServerKey, "SOMETHING ELSE", 2)
	for name, data := range map[string]string{
		"empty":       "",
		"not PEM":     "hello",
		"no key":      withoutKey,
		"truncated":   string(bundle[:len(bundle)/2]),
		"garbage key": strings.Replace(string(bundle), "-----BEGIN "+pemServerKey+"-----\n", "-----BEGIN "+pemServerKey+"-----\nAAAA", 1),
	} {
		if _, err := ServerTLS(strings.NewReader(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
