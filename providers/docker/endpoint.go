package docker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// endpoint is a Docker engine address with optional client TLS (PEM contents).
type endpoint struct {
	host          string
	ca, cert, key string
}

// endpointFromConfig reads host and tls from the provider block.
func endpointFromConfig(config cty.Value) (endpoint, protocol.Diagnostics) {
	ep := endpoint{host: DefaultHost}
	config, _ = config.UnmarkDeep()
	if config.IsNull() || !config.Type().IsObjectType() {
		return ep, nil
	}
	if !config.IsWhollyKnown() {
		return ep, protocol.Diagnostics{}.Errorf("provider configuration is not known",
			"The docker provider needs host and tls before anything runs; do not derive them from values known only after apply.")
	}
	if h := objString(config, "host"); h != "" {
		ep.host = h
	}
	if config.Type().HasAttribute("tls") {
		if t := config.GetAttr("tls"); !t.IsNull() {
			ep.ca, ep.cert, ep.key = objString(t, "ca"), objString(t, "cert"), objString(t, "key")
		}
	}
	if !strings.HasPrefix(ep.host, "unix://") && !strings.HasPrefix(ep.host, "tcp://") {
		return ep, protocol.Diagnostics{{
			Severity:  protocol.Error,
			Summary:   "unsupported Docker host",
			Detail:    fmt.Sprintf("host = %q: use unix:///path/to/docker.sock or tcp://host:port.", ep.host),
			Attribute: cty.GetAttrPath("host"),
		}}
	}
	return ep, nil
}

// objString returns a known string attribute of an object, "" otherwise.
func objString(obj cty.Value, name string) string {
	if obj.IsNull() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return ""
	}
	v := obj.GetAttr(name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// newClient builds a Docker client for ep. The API version is negotiated with the engine
// on the first call, so one provider works with old and new engines alike.
func newClient(ep endpoint) (*client.Client, error) {
	transport := &http.Transport{
		// A refresh inspects up to inspectParallelism containers at once. Go keeps two
		// idle connections per host by default: the others would be closed after every
		// call and dialled again (with a TLS handshake each on a tcp+TLS engine).
		MaxIdleConns:        2 * inspectParallelism,
		MaxIdleConnsPerHost: inspectParallelism,
		IdleConnTimeout:     30 * time.Second,
	}
	// WithHost comes after WithHTTPClient: it sets the transport up for the endpoint
	// (the unix socket's dialer, or TCP with the proxy from the environment).
	opts := []client.Opt{
		client.WithHTTPClient(&http.Client{Transport: transport, CheckRedirect: client.CheckRedirect}),
		client.WithHost(ep.host),
		client.WithAPIVersionNegotiation(),
	}
	if ep.ca != "" || ep.cert != "" || ep.key != "" {
		tlsConfig, err := clientTLS(ep)
		if err != nil {
			return nil, err
		}
		transport.TLSClientConfig = tlsConfig
		opts = append(opts, client.WithScheme("https"))
	}
	c, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", ep.host, err)
	}
	return c, nil
}

// clientTLS builds the TLS configuration from PEM contents.
func clientTLS(ep endpoint) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ep.ca != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(ep.ca)) {
			return nil, errors.New("tls.ca holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	if (ep.cert == "") != (ep.key == "") {
		return nil, errors.New("tls.cert and tls.key go together: set both or neither")
	}
	if ep.cert != "" {
		pair, err := tls.X509KeyPair([]byte(ep.cert), []byte(ep.key))
		if err != nil {
			// Never quote the key itself.
			return nil, fmt.Errorf("tls.cert/tls.key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
