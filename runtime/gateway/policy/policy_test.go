package policy

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

func testPolicy() *Policy {
	return New([]config.Allow{
		{Destination: "example.com", TunnelPorts: []int{443}, HTTPPorts: []int{80}},
		{Destination: ".example.org", TunnelPorts: []int{443, 8443}},
		{Destination: ".deep.example.org", HTTPPorts: []int{8080}},
		{Destination: "app.test", TunnelPorts: []int{443}, AllowPrivate: true},
		{Destination: "10.20.0.0/16", TunnelPorts: []int{443}},
	})
}

func TestCheck(t *testing.T) {
	p := testPolicy()
	tests := []struct {
		host string
		port int
		mode Mode
		ok   bool
	}{
		{"example.com", 443, Tunnel, true},
		{"EXAMPLE.com.", 443, Tunnel, true},
		{"example.com", 80, PlainHTTP, true},
		{"example.com", 80, Tunnel, false},      // port of the other mode
		{"example.com", 8443, Tunnel, false},    // port not listed
		{"www.example.com", 443, Tunnel, false}, // exact entry does not cover subdomains
		{"a.example.org", 8443, Tunnel, true},
		{"example.org", 443, Tunnel, false}, // suffix entry does not cover the bare domain
		{"x.deep.example.org", 8080, PlainHTTP, true},
		{"x.deep.example.org", 443, Tunnel, false}, // the longest suffix decides
		{"evilexample.com", 443, Tunnel, false},
		{"notexample.org", 443, Tunnel, false},
		{"10.20.1.2", 443, Tunnel, true},
		{"10.21.1.2", 443, Tunnel, false},
		{"127.0.0.1", 443, Tunnel, false},
		{"169.254.169.254", 80, PlainHTTP, false},
		{"[fd00:ec2::254]", 80, PlainHTTP, false},
		{"[::ffff:127.0.0.1]", 443, Tunnel, false},
		{"93.184.216.34", 443, Tunnel, false}, // public IP literal: still not a domain
		{"2130706433", 443, Tunnel, false},
		{"0x7f.1", 443, Tunnel, false},
		{"example.com", 22, Tunnel, false},
		{"example.com", 48082, Tunnel, false},
		{"", 443, Tunnel, false},
	}
	for _, tt := range tests {
		_, err := p.Check(tt.host, tt.port, tt.mode)
		if (err == nil) != tt.ok {
			t.Errorf("Check(%q, %d, %s) = %v, want allowed=%v", tt.host, tt.port, tt.mode, err, tt.ok)
		}
		var denied *Denied
		if err != nil && (!errors.As(err, &denied) || denied.Reason == "") {
			t.Errorf("Check(%q): error %v is not a *Denied with a reason", tt.host, err)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	p := testPolicy()
	plain, _ := p.Check("example.com", 443, Tunnel)
	private, _ := p.Check("app.test", 443, Tunnel)
	tests := []struct {
		rule *Rule
		addr string
		ok   bool
	}{
		{plain, "93.184.216.34", true},
		{plain, "127.0.0.1", false},
		{plain, "::1", false},
		{plain, "10.0.0.5", false},
		{plain, "10.20.3.4", true}, // inside an explicitly allowed range
		{plain, "169.254.169.254", false},
		{plain, "fd00:ec2::254", false},
		{plain, "0.0.0.0", false},
		{plain, "::ffff:127.0.0.1", false},
		{plain, "100.64.1.1", false},
		{private, "127.0.0.1", true},
		{private, "192.168.1.1", true},
		{private, "169.254.169.254", false}, // metadata needs an explicit range
		{nil, "8.8.8.8", true},
		{nil, "127.0.0.1", false},
	}
	for _, tt := range tests {
		err := p.CheckAddress(tt.rule, netip.MustParseAddr(tt.addr))
		if (err == nil) != tt.ok {
			t.Errorf("CheckAddress(%v, %s) = %v, want allowed=%v", tt.rule, tt.addr, err, tt.ok)
		}
	}
}
