package checks

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/servicelab"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// findingsFor fingerprints one real service and runs the checks on it.
func findingsFor(t *testing.T, port int) ([]string, []Finding) {
	t.Helper()
	svc, err := fingerprint.Identify(context.Background(), loopback, port, fingerprint.Options{Timeout: 4 * time.Second})
	if err != nil {
		t.Fatalf("Identify(%d): %v", port, err)
	}
	findings := Run(loopback, []fingerprint.Service{svc}, Options{})
	var ids []string
	for _, f := range findings {
		if f.Port != port || f.Host != "127.0.0.1" || f.Evidence == "" || f.Remediation == "" {
			t.Fatalf("incomplete finding: %+v", f)
		}
		ids = append(ids, f.CheckID)
	}
	slices.Sort(ids)
	return ids, findings
}

func expectFindings(t *testing.T, name string, port int, want ...string) {
	t.Helper()
	got, findings := findingsFor(t, port)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		var lines []string
		for _, f := range findings {
			lines = append(lines, f.CheckID+": "+f.Evidence)
		}
		t.Fatalf("%s: findings %v, want %v\n%s", name, got, want, strings.Join(lines, "\n"))
	}
}

// Each planted weakness is reported on the weak copy and nothing on the hardened one.
func TestPlantedWeaknessesOnRealServices(t *testing.T) {
	t.Run("nginx", func(t *testing.T) {
		weak := servicelab.StartNginx(t, true)
		expectFindings(t, "weak nginx https", weak.HTTPS,
			"tls-legacy-version", "tls-weak-cipher", "tls-cert-expiring", "tls-cert-self-signed",
			"http-missing-security-headers", "http-directory-listing")
		expectFindings(t, "weak nginx http", weak.HTTP, "http-missing-security-headers", "http-directory-listing")
		hard := servicelab.StartNginx(t, false)
		expectFindings(t, "hardened nginx https", hard.HTTPS)
		expectFindings(t, "hardened nginx http", hard.HTTP)
	})
	t.Run("openssh", func(t *testing.T) {
		expectFindings(t, "weak sshd", servicelab.SSHD(t, true), "ssh-weak-kex", "ssh-weak-mac")
		expectFindings(t, "hardened sshd", servicelab.SSHD(t, false))
	})
	t.Run("redis", func(t *testing.T) {
		expectFindings(t, "redis without password", servicelab.Redis(t, ""), "redis-no-auth")
		expectFindings(t, "redis with password", servicelab.Redis(t, "lab-password-1"))
	})
	t.Run("postgresql", func(t *testing.T) {
		expectFindings(t, "postgres trust", servicelab.Postgres(t, true), "postgres-no-auth")
		expectFindings(t, "postgres scram", servicelab.Postgres(t, false))
	})
}
