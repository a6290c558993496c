package gateway

import (
	"context"
	"net"

	"github.com/rampart-sec/rampart/runtime/gateway/policy"
)

// dialForCache is the cache port's way out: host mappings, resolved-address checks and
// upstream chaining of the current configuration.
func (s *Server) dialForCache(ctx context.Context, network, addr string) (net.Conn, error) {
	return s.rules().Dialer.Dial(ctx, network, addr)
}

// checkForCache is the domain policy for the cache port, which serves intercepted HTTPS
// and plain HTTP alike: host:port is allowed when either a tunnel or a plain-HTTP rule
// allows it.
func (s *Server) checkForCache(host string, port int) error {
	p := s.rules().Policy
	if _, err := p.Check(host, port, policy.Tunnel); err == nil {
		return nil
	}
	_, err := p.Check(host, port, policy.PlainHTTP)
	return err
}
