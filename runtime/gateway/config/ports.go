package config

import "fmt"

// reservedPorts are ports the gateway never listens on nor connects to: remote shells
// (22, 23), etcd (2379, 2380, 4001), syslog-tls (5514), 7001 and the appliance's own
// management range (48081-48086), as on the original appliance.
var reservedPorts = map[int]string{
	22:   "SSH",
	23:   "Telnet",
	2379: "etcd",
	2380: "etcd",
	4001: "etcd",
	5514: "syslog",
	7001: "management",
}

// Reserved management port range.
const (
	reservedRangeFirst = 48081
	reservedRangeLast  = 48086
)

// CheckPort says why port may not be used, or nil: 1-65535 and not reserved.
func CheckPort(port int) error {
	switch {
	case port < 1 || port > 65535:
		return fmt.Errorf("port %d is out of range 1-65535", port)
	case reservedPorts[port] != "":
		return fmt.Errorf("port %d is reserved (%s); choose another port", port, reservedPorts[port])
	case port >= reservedRangeFirst && port <= reservedRangeLast:
		return fmt.Errorf("port %d is reserved (management range %d-%d); choose another port", port, reservedRangeFirst, reservedRangeLast)
	}
	return nil
}
