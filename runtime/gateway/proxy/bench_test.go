package proxy

import (
	"testing"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/policy"
)

func BenchmarkParseRequestHead(b *testing.B) {
	head := []byte("GET http://repo.example.com/dists/stable/InRelease HTTP/1.1\r\nHost: repo.example.com\r\n" +
		"User-Agent: Debian APT-HTTP/1.3 (2.6.1)\r\nAccept: */*\r\nCache-Control: max-age=0\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequestHead(head); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPolicyCheck(b *testing.B) {
	entries := []config.Allow{{Destination: ".example.com", TunnelPorts: []int{443}}}
	for _, d := range config.DefaultDomains {
		entries = append(entries, config.Allow{Destination: d, TunnelPorts: []int{443}})
	}
	p := policy.New(entries)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Check("repo.eu.example.com", 443, policy.Tunnel); err != nil {
			b.Fatal(err)
		}
	}
}
