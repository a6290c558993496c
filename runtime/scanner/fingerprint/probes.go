package fingerprint

import (
	"fmt"
	"slices"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/tlsprobe"
)

// probe is one question we ask a port. Identify asks the NULL probe (listen only) and the
// probes whose ports list the port first, then all the others, each on its own connection.
type probe struct {
	name string
	// payload is what we send; nil means listen only (the NULL probe).
	payload func(serverName string) []byte
	// ports are where this probe goes first.
	ports []int
	// user is set for a probe from the user's service_probes_file.
	user *UserProbe
}

// builtinProbes is our probe set. Every probe's answer is shown to every recogniser
// (recognise.go), so a banner that arrives on any connection still names the service.
var builtinProbes = []probe{
	{name: "null"},
	{name: "tls", payload: tlsHello, ports: []int{443, 465, 636, 853, 989, 990, 992, 993, 995, 2376, 3269, 4443, 5986, 6443, 8443, 9443, 10250, 10443}},
	{name: "http", payload: httpGet, ports: []int{80, 81, 591, 2375, 3000, 5000, 5601, 8000, 8008, 8080, 8081, 8088, 8888, 9000, 9090, 9200}},
	{name: "redis", payload: func(string) []byte { return redisInfoCommand }, ports: []int{6379, 6380, 26379}},
	{name: "postgres", payload: func(string) []byte { return postgresStartup() }, ports: []int{5432, 5433}},
	{name: "mongodb", payload: func(string) []byte { return mongoBuildInfo() }, ports: []int{27017, 27018, 27019}},
	{name: "dns", payload: func(string) []byte { return dnsVersionQuery() }, ports: []int{53, 5353}},
	{name: "rdp", payload: func(string) []byte { return rdpConnectionRequest }, ports: []int{3389}},
	{name: "smb", payload: func(string) []byte { return smbNegotiate() }, ports: []int{445}},
}

func tlsHello(serverName string) []byte {
	return tlsprobe.BuildClientHello(tlsprobe.HelloSpec{
		Version:    tlsprobe.VersionTLS12,
		Suites:     tlsprobe.AllLegacySuites(),
		ServerName: serverName,
	})
}

func httpGet(host string) []byte {
	return fmt.Appendf(nil, "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: rampart-scanner\r\nAccept: */*\r\n\r\n", host)
}

// probePhases splits the probes for port into the first phase (NULL and likely probes) and
// the rest.
func probePhases(port int, user *ProbesFile) (first, rest []probe) {
	all := slices.Clone(builtinProbes)
	if user != nil {
		for i := range user.Probes {
			up := &user.Probes[i]
			if up.Rarity > maxUserRarity && !slices.Contains(up.Ports, port) {
				continue
			}
			if len(up.Payload) == 0 {
				continue // their NULL probe's matches are applied to our NULL answer
			}
			all = append(all, probe{name: "user:" + up.Name, payload: func(string) []byte { return up.Payload }, ports: up.Ports, user: up})
		}
	}
	for _, p := range all {
		if p.payload == nil || slices.Contains(p.ports, port) {
			first = append(first, p)
		} else {
			rest = append(rest, p)
		}
	}
	return first, rest
}
