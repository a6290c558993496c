package docker_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
	"github.com/rampart-sec/rampart/runtime/waf/discovery/dockertest"
)

// engineProxy forwards HTTP to the real engine's unix socket; tests put it behind TLS or
// make it drop event streams, to drive the client through real engine answers.
func engineProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) { pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "docker" },
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", "/var/run/docker.sock")
			},
		},
		FlushInterval: -1, // events stream: pass each one on at once
	}
}

func TestClientAgainstEngine(t *testing.T) {
	e := dockertest.Connect(t)
	ctx := context.Background()
	v, err := e.Client.APIVersion(ctx)
	if err != nil || v == "" {
		t.Fatalf("APIVersion = %q, %v", v, err)
	}
	if _, err := e.Client.ListContainers(ctx, map[string][]string{"label": {"rampart.test=" + e.RunID}}); err != nil {
		t.Fatalf("ListContainers: %v", err)
	}
	_, err = e.Client.InspectImage(ctx, "sha256:0000000000000000000000000000000000000000000000000000000000000000")
	if !docker.IsNotFound(err) {
		t.Errorf("InspectImage of a missing image: %v, want a 404 APIError", err)
	}
}

// pki is a throwaway CA with a server certificate for 127.0.0.1 and a client certificate.
type pki struct {
	caPEM                 string
	server                tls.Certificate
	clientCert, clientKey string
	caPool                *x509.CertPool
	otherCAPEM            string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	caKey, caCert, caPEM := selfSigned(t, "rampart test CA")
	_, _, otherCAPEM := selfSigned(t, "another CA")
	issue := func(template *x509.Certificate) (certPEM, keyPEM string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.CreateCertificate(rand.Reader, template, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
			string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	}
	serverCert, serverKey := issue(&x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	clientCert, clientKey := issue(&x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "rampart-waf"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	server, err := tls.X509KeyPair([]byte(serverCert), []byte(serverKey))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return pki{caPEM: caPEM, server: server, clientCert: clientCert, clientKey: clientKey, caPool: pool, otherCAPEM: otherCAPEM}
}

func selfSigned(t *testing.T, name string) (*ecdsa.PrivateKey, *x509.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestTLSEndpoint reaches the real engine through a mutual-TLS front, as a WAF reaches
// tcp://host:2376 with docker_api ca, certificate and private_key.
func TestTLSEndpoint(t *testing.T) {
	dockertest.Connect(t)
	p := newPKI(t)
	front := httptest.NewUnstartedServer(engineProxy())
	front.TLS = &tls.Config{
		Certificates: []tls.Certificate{p.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.caPool,
		MinVersion:   tls.VersionTLS12,
	}
	front.StartTLS()
	t.Cleanup(front.Close)
	endpoint := "tcp://" + front.Listener.Addr().String()

	tests := []struct {
		name     string
		material docker.TLSMaterial
		wantOK   bool
	}{
		{"CA and client certificate", docker.TLSMaterial{CA: p.caPEM, Certificate: p.clientCert, PrivateKey: p.clientKey}, true},
		{"no client certificate", docker.TLSMaterial{CA: p.caPEM}, false},
		{"engine certificate from another CA", docker.TLSMaterial{CA: p.otherCAPEM, Certificate: p.clientCert, PrivateKey: p.clientKey}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := docker.NewClient(endpoint, docker.Options{TLS: tt.material, RequestTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.ListContainers(context.Background(), nil)
			if tt.wantOK && err != nil {
				t.Fatalf("ListContainers over TLS: %v", err)
			}
			if !tt.wantOK && err == nil {
				t.Fatal("ListContainers succeeded without valid TLS credentials")
			}
			if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error shows key material: %v", err)
			}
		})
	}
}

// TestFollowEventsReconnects drops the first events streams; FollowEvents reconnects with
// backoff and then delivers a real event of a container the test starts.
func TestFollowEventsReconnects(t *testing.T) {
	e := dockertest.Connect(t)
	var eventsCalls atomic.Int32
	proxy := engineProxy()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/events") && eventsCalls.Add(1) <= 2 {
			http.Error(w, `{"message":"dropped by the test"}`, http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c, err := docker.NewClient("tcp://"+front.Listener.Addr().String(), docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu            sync.Mutex
		disconnects   int
		connected     = make(chan struct{}, 4)
		started       = make(chan string, 16)
		followStopped = make(chan struct{})
	)
	go func() {
		defer close(followStopped)
		c.FollowEvents(ctx, map[string][]string{"type": {"container"}, "label": {"rampart.test=" + e.RunID}},
			docker.Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond},
			docker.EventHandler{
				Connected: func() { connected <- struct{}{} },
				Event: func(ev docker.Event) {
					select {
					case started <- ev.Action + " " + ev.Actor.Attributes["name"]:
					default: // the test stopped reading
					}
				},
				Disconnected: func(error) { mu.Lock(); disconnects++; mu.Unlock() },
			})
	}()
	t.Cleanup(func() { cancel(); <-followStopped })

	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("FollowEvents never connected")
	}
	mu.Lock()
	if disconnects != 2 {
		t.Errorf("disconnects before connecting = %d, want 2 (two dropped streams)", disconnects)
	}
	mu.Unlock()

	e.BuildBackend(t, "rampart-test/events-"+e.RunID+":v1", "events")
	name := "events-" + e.RunID
	e.RunContainer(t, dockertest.ContainerSpec{Name: name, Image: "rampart-test/events-" + e.RunID + ":v1"})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-started:
			if got == "start "+name {
				return
			}
		case <-deadline:
			t.Fatal("no start event for the container")
		}
	}
}
