package mitm

import (
	"crypto/tls"
	"fmt"
	"net"
)

// MinVersion turns "1.0" to "1.3" (empty: "1.2") into a crypto/tls version.
func MinVersion(s string) (uint16, error) {
	switch s {
	case "1.0":
		return tls.VersionTLS10, nil
	case "1.1":
		return tls.VersionTLS11, nil
	case "", "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("minimum TLS version %q is not one of \"1.0\", \"1.1\", \"1.2\", \"1.3\"", s)
}

// ServerConfig is the client-facing TLS configuration of one intercepted tunnel: the
// certificate is minted for the SNI the client sends, or for connectHost (the CONNECT
// target) when it sends none.
func (m *Minter) ServerConfig(connectHost string, minVersion uint16) *tls.Config {
	return &tls.Config{
		MinVersion: minVersion,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			host := hello.ServerName
			if host == "" {
				host = connectHost
			}
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			return m.Certificate(host)
		},
	}
}
