package mitm

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// leafValidity is how long a minted host certificate is valid; it is minted again (it
// leaves the bounded cache, or the process restarts) long before that.
const leafValidity = 30 * 24 * time.Hour

// Minter mints and keeps leaf certificates per host: ECDSA P-256, signed by the authority.
// The cache is bounded (least recently used hosts go first) and concurrent handshakes for
// one host mint once.
type Minter struct {
	authority *Authority
	max       int

	mu      sync.Mutex
	byHost  map[string]*list.Element // of *leafEntry
	order   *list.List               // front = most recently used
	minting map[string]*mintCall
}

type leafEntry struct {
	host string
	cert *tls.Certificate
}

type mintCall struct {
	done chan struct{}
	cert *tls.Certificate
	err  error
}

// NewMinter returns a minter keeping up to size certificates (at least 1).
func NewMinter(a *Authority, size int) *Minter {
	return &Minter{authority: a, max: max(size, 1), byHost: map[string]*list.Element{}, order: list.New(), minting: map[string]*mintCall{}}
}

// Authority is the authority the minter signs with.
func (m *Minter) Authority() *Authority { return m.authority }

// Len is how many certificates are kept.
func (m *Minter) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

// Certificate returns the leaf for host (a DNS name or an IP), minting it on first use.
func (m *Minter) Certificate(host string) (*tls.Certificate, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return nil, fmt.Errorf("mint certificate: no host name (the client sent no SNI and the CONNECT named none)")
	}
	m.mu.Lock()
	if el, ok := m.byHost[host]; ok {
		m.order.MoveToFront(el)
		cert := el.Value.(*leafEntry).cert
		m.mu.Unlock()
		return cert, nil
	}
	if call, ok := m.minting[host]; ok {
		m.mu.Unlock()
		<-call.done
		return call.cert, call.err
	}
	call := &mintCall{done: make(chan struct{})}
	m.minting[host] = call
	m.mu.Unlock()

	call.cert, call.err = m.authority.Mint(host)

	m.mu.Lock()
	delete(m.minting, host)
	if call.err == nil {
		m.byHost[host] = m.order.PushFront(&leafEntry{host: host, cert: call.cert})
		for m.order.Len() > m.max {
			oldest := m.order.Back()
			m.order.Remove(oldest)
			delete(m.byHost, oldest.Value.(*leafEntry).host)
		}
	}
	m.mu.Unlock()
	close(call.done)
	return call.cert, call.err
}

// Mint makes a new leaf certificate for host with a fresh ECDSA P-256 key.
func (a *Authority) Mint(host string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %s: %w", host, err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	notAfter := now.Add(leafValidity)
	if notAfter.After(a.Certificate.NotAfter) {
		notAfter = a.Certificate.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Certificate, &key.PublicKey, a.key)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %s: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %s: %w", host, err)
	}
	return &tls.Certificate{
		Certificate: append([][]byte{der}, a.chain...),
		PrivateKey:  key,
		Leaf:        leaf,
	}, nil
}
