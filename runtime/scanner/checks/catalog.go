package checks

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"
)

// The check set is data, embedded so the runtime binary needs no files beside it.
var (
	//go:embed checks.yaml
	checksYAML []byte
	//go:embed vulnerable_versions.yaml
	vulnerableVersionsYAML []byte
)

// Check is one entry of checks.yaml.
type Check struct {
	ID          string  `yaml:"id" json:"id"`
	Title       string  `yaml:"title" json:"title"`
	Severity    int     `yaml:"severity" json:"severity"`
	Test        string  `yaml:"test" json:"test"`
	Params      Params  `yaml:"params" json:"params"`
	CVE         string  `yaml:"cve" json:"cve,omitempty"`
	CVSS        float64 `yaml:"cvss" json:"cvss,omitempty"`
	Remediation string  `yaml:"remediation" json:"remediation"`
}

// Params are the settings of a test; each test reads the ones it documents in evaluate.go.
type Params struct {
	Versions []string     `yaml:"versions" json:"versions,omitempty"`
	Patterns []string     `yaml:"patterns" json:"patterns,omitempty"`
	Days     int          `yaml:"days" json:"days,omitempty"`
	MinRSA   int          `yaml:"min_rsa_bits" json:"min_rsa_bits,omitempty"`
	MinEC    int          `yaml:"min_ec_bits" json:"min_ec_bits,omitempty"`
	List     string       `yaml:"list" json:"list,omitempty"`
	Weak     []string     `yaml:"weak" json:"weak,omitempty"`
	Services []string     `yaml:"services" json:"services,omitempty"`
	Levels   []string     `yaml:"levels" json:"levels,omitempty"`
	Headers  []HeaderRule `yaml:"headers" json:"headers,omitempty"`
}

// HeaderRule is one expected HTTP response header.
type HeaderRule struct {
	Name    string `yaml:"name" json:"name"`
	TLSOnly bool   `yaml:"tls_only" json:"tls_only,omitempty"`
	// Or names a header whose presence also satisfies the rule.
	Or string `yaml:"or" json:"or,omitempty"`
}

// VulnerableVersion is one entry of vulnerable_versions.yaml.
type VulnerableVersion struct {
	Product     string         `yaml:"product"`
	CVE         string         `yaml:"cve"`
	Title       string         `yaml:"title"`
	CVSS        float64        `yaml:"cvss"`
	Severity    int            `yaml:"severity"`
	Affected    []VersionRange `yaml:"affected"`
	FixedBuilds map[string]int `yaml:"fixed_builds"`
	Remediation string         `yaml:"remediation"`
}

// VersionRange is [From, Before), or exactly Equals.
type VersionRange struct {
	From   string `yaml:"from"`
	Before string `yaml:"before"`
	Equals string `yaml:"equals"`
}

type catalog struct {
	checks     []Check
	vulnerable []VulnerableVersion
}

var loadCatalog = sync.OnceValue(func() catalog {
	c, err := parseCatalog(checksYAML, vulnerableVersionsYAML)
	if err != nil {
		panic(err) // the embedded files are tested; a broken one must not ship
	}
	return c
})

// All returns the embedded check set.
func All() []Check { return slices.Clone(loadCatalog().checks) }

// VulnerableVersions returns the embedded table of known-vulnerable versions.
func VulnerableVersions() []VulnerableVersion { return slices.Clone(loadCatalog().vulnerable) }

// parseCatalog decodes and validates both files. Unknown fields are errors, so a typo in a
// check cannot silently disable it.
func parseCatalog(checksData, vulnerableData []byte) (catalog, error) {
	var c catalog
	if err := yaml.UnmarshalWithOptions(checksData, &c.checks, yaml.DisallowUnknownField()); err != nil {
		return c, fmt.Errorf("checks.yaml: %w", err)
	}
	if err := yaml.UnmarshalWithOptions(vulnerableData, &c.vulnerable, yaml.DisallowUnknownField()); err != nil {
		return c, fmt.Errorf("vulnerable_versions.yaml: %w", err)
	}
	seen := map[string]bool{}
	for i, check := range c.checks {
		switch {
		case check.ID == "" || check.Title == "" || check.Remediation == "":
			return c, fmt.Errorf("checks.yaml: entry %d: id, title and remediation are required", i+1)
		case seen[check.ID]:
			return c, fmt.Errorf("checks.yaml: id %q is used twice", check.ID)
		case check.Severity < 1 || check.Severity > 5:
			return c, fmt.Errorf("checks.yaml: %s: severity %d is not 1-5", check.ID, check.Severity)
		case evaluators[check.Test] == nil:
			return c, fmt.Errorf("checks.yaml: %s: unknown test %q (known: %v)", check.ID, check.Test, testNames())
		}
		seen[check.ID] = true
	}
	for i, v := range c.vulnerable {
		switch {
		case v.Product == "" || v.CVE == "" || v.Title == "" || v.Remediation == "" || len(v.Affected) == 0:
			return c, fmt.Errorf("vulnerable_versions.yaml: entry %d: product, cve, title, affected and remediation are required", i+1)
		case v.Severity < 1 || v.Severity > 5:
			return c, fmt.Errorf("vulnerable_versions.yaml: %s: severity %d is not 1-5", v.CVE, v.Severity)
		case v.CVSS < 0 || v.CVSS > 10:
			return c, fmt.Errorf("vulnerable_versions.yaml: %s: cvss %v is not 0-10", v.CVE, v.CVSS)
		}
		for _, r := range v.Affected {
			if r.Equals == "" && r.From == "" && r.Before == "" {
				return c, fmt.Errorf("vulnerable_versions.yaml: %s: an empty range matches every version", v.CVE)
			}
		}
	}
	return c, nil
}

func testNames() []string {
	var names []string
	for name := range evaluators {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
