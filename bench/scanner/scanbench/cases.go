package main

import (
	"strings"

	"github.com/rampart-sec/rampart/runtime/scanner/lab"
)

// benchCase is one row pair of the comparison: the same scan by both programs.
type benchCase struct {
	name  string
	hosts []string
	// ports is "all" or a list; services turns on service detection in both.
	ports    string
	services bool
	// nmapArgs are nmap's technique and timing flags; rampartArgs rampart-scanner's.
	nmapArgs    []string
	rampartArgs []string
}

var openHosts = []string{lab.HostWeak, lab.HostHardened, lab.HostDB}

// servicePorts are the ports the lab's services listen on (the silent port included).
const servicePorts = "22,80,443,5432,6379,9999"

func benchCases() []benchCase {
	return []benchCase{
		{name: "3-hosts-all-ports-connect", hosts: openHosts, ports: "all",
			nmapArgs: []string{"-sT", "-T4", "-n", "-Pn"}, rampartArgs: []string{"-mode", "connect", "-Pn"}},
		{name: "3-hosts-all-ports-syn", hosts: openHosts, ports: "all",
			nmapArgs: []string{"-sS", "-T4", "-n", "-Pn"}, rampartArgs: []string{"-mode", "syn", "-Pn"}},
		{name: "filtered-host-all-ports-connect", hosts: []string{lab.HostFiltered}, ports: "all",
			nmapArgs: []string{"-sT", "-T4", "-n", "-Pn"}, rampartArgs: []string{"-mode", "connect", "-Pn"}},
		{name: "filtered-host-all-ports-syn", hosts: []string{lab.HostFiltered}, ports: "all",
			nmapArgs: []string{"-sS", "-T4", "-n", "-Pn"}, rampartArgs: []string{"-mode", "syn", "-Pn"}},
		{name: "3-hosts-service-detection", hosts: openHosts, ports: servicePorts, services: true,
			nmapArgs: []string{"-sV", "-sT", "-T4", "-n", "-Pn"}, rampartArgs: []string{"-mode", "connect", "-Pn"}},
	}
}

func caseNames() []string {
	var names []string
	for _, c := range benchCases() {
		names = append(names, c.name)
	}
	return names
}

// serviceFamily maps both programs' service names to one word: nmap calls HTTPS "http" with
// an ssl tunnel ("ssl/http"), rampart-scanner "https".
func serviceFamily(name string) string {
	name = strings.ToLower(name)
	switch name {
	case "ssl/http", "https", "http-over-tls", "ssl/https":
		return "https"
	case "postgres", "postgresql":
		return "postgresql"
	}
	return name
}
