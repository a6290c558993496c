// Package checks turns fingerprinted services into vulnerability findings. The checks are
// data (checks.yaml and vulnerable_versions.yaml, embedded in the binary); the Go code only
// knows how to evaluate each kind of test they name (evaluate.go).
//
// For the scanner runtime, the whole API is:
//
//	findings := checks.Run(host, services, checks.Options{})
//
// where services are the fingerprint.Identify results for one host's open ports. Run sends
// nothing on the network: everything it judges was collected by fingerprint.Identify (TLS
// versions and certificate, SSH KEXINIT, HTTP answers, unauthenticated API answers), so it is
// cheap, deterministic and safe to rerun. checks.All() lists the embedded check set (for docs
// and a `-list-checks` flag); checks.VulnerableVersions() the CVE table.
package checks

import (
	"net/netip"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
)

// Finding is one weakness on one port. It is written as one JSON line.
type Finding struct {
	CheckID     string  `json:"check_id"`
	Title       string  `json:"title"`
	Severity    int     `json:"severity"` // 1 (info) .. 5 (critical)
	Host        string  `json:"host"`
	Port        int     `json:"port"`
	Service     string  `json:"service,omitempty"`
	Evidence    string  `json:"evidence"`
	Remediation string  `json:"remediation"`
	CVE         string  `json:"cve,omitempty"`
	CVSS        float64 `json:"cvss,omitempty"`
}

// Options steers one Run.
type Options struct {
	// Now is the clock for certificate expiry; nil means time.Now.
	Now func() time.Time
	// Disabled lists check ids not to run ("vulnerable-version" turns off the CVE table).
	Disabled []string
}

// VulnerableVersionCheckID is the CheckID of findings from vulnerable_versions.yaml.
const VulnerableVersionCheckID = "vulnerable-version"

// Run evaluates every enabled check against the services of one host. Findings come
// sorted by port, then severity (highest first), then check id and CVE.
func Run(host netip.Addr, services []fingerprint.Service, opts Options) []Finding {
	return run(host, services, opts)
}
