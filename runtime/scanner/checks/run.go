package checks

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
)

func run(host netip.Addr, services []fingerprint.Service, opts Options) []Finding {
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	cat := loadCatalog()
	var findings []Finding
	for i := range services {
		svc := &services[i]
		for j := range cat.checks {
			c := &cat.checks[j]
			if slices.Contains(opts.Disabled, c.ID) {
				continue
			}
			evidence, found := evaluators[c.Test](c, svc, now)
			if !found {
				continue
			}
			findings = append(findings, Finding{
				CheckID: c.ID, Title: c.Title, Severity: c.Severity, Host: host.String(), Port: svc.Port,
				Service: svc.Name, Evidence: evidence, Remediation: c.Remediation, CVE: c.CVE, CVSS: c.CVSS,
			})
		}
		if !slices.Contains(opts.Disabled, VulnerableVersionCheckID) {
			findings = append(findings, vulnerableVersions(cat.vulnerable, host, svc)...)
		}
	}
	slices.SortFunc(findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.CheckID, b.CheckID), cmp.Compare(a.CVE, b.CVE))
	})
	return findings
}

// vulnerableVersions looks the service's product and version up in the CVE table.
func vulnerableVersions(table []VulnerableVersion, host netip.Addr, svc *fingerprint.Service) []Finding {
	if svc.Product == "" || svc.Version == "" {
		return nil
	}
	var out []Finding
	for _, v := range table {
		if v.Product != svc.Product || v.fixedByBuild(svc.Banner) {
			continue
		}
		for _, r := range v.Affected {
			if !r.inRange(svc.Version) {
				continue
			}
			out = append(out, Finding{
				CheckID: VulnerableVersionCheckID, Title: v.Title, Severity: v.Severity, Host: host.String(), Port: svc.Port,
				Service: svc.Name, Evidence: fmt.Sprintf("%s %s is in the affected range of %s", svc.Product, svc.Version, v.CVE),
				Remediation: v.Remediation, CVE: v.CVE, CVSS: v.CVSS,
			})
			break
		}
	}
	return out
}
