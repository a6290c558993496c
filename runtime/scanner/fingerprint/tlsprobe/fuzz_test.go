package tlsprobe

import "testing"

// The server's first flight is untrusted input; the seeds run in every `go test`.
// Run for real with: go test ./runtime/scanner/fingerprint/tlsprobe -fuzz FuzzParseFlight
func FuzzParseFlight(f *testing.F) {
	f.Add(append(serverHello(VersionTLS12, 0xc02f, 0, nil), serverHelloDone...))
	f.Add(serverHello(VersionTLS12, 0x1301, VersionTLS13, nil))
	f.Add([]byte{recordAlert, 3, 1, 0, 2, 2, 40})
	cert := []byte{recordHandshake, 3, 3, 0, 10, handshakeCertificate, 0, 0, 6, 0, 0, 3, 0, 0, 0}
	f.Add(cert)
	f.Fuzz(func(t *testing.T, data []byte) {
		flight, err := ParseFlight(data)
		if err == nil && flight.Alert != nil && !flight.Done {
			t.Fatal("an alert must end the flight")
		}
		for _, der := range flight.Certificates {
			ParseCertificate(der)
		}
	})
}
