package config

// The cache port's settings: TLS interception (CA), the in-memory object cache (Cache) and
// patch mode (Patch). config.go only refers to these types; it calls, from its own methods:
//
//	Config.ApplyDefaults: ApplyCacheDefaults(c)   (Patch stays nil when not configured: patch mode off)
//	Config.Validate:      errs = append(errs, ValidateCacheSettings(c)...)
//
// The cache port reads the values through the accessors at the end of this file.

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CA says which certificate authority the cache port signs intercepted hosts with.
//
// The three modes of the original appliance:
//   - "appliance" (default): a CA generated on first start and kept in the gateway's data
//     directory (key mode 0600); every gateway has its own. Agents trust it by importing
//     the certificate the admin API shows.
//   - "common": one CA shared by many gateways, given as certificate + private_key (PEM),
//     so agents trust a single certificate wherever they roam.
//   - "custom": a chain signed by the customer's own PKI: certificate holds the signing
//     (intermediate) certificate first, then the rest of the chain; private_key its key.
//
// Keys are unencrypted PEM (PKCS#1, PKCS#8 or SEC 1): there is no passphrase. Each PEM
// value may be at most 3 MB.
type CA struct {
	Mode        string `json:"mode,omitempty" hcl:"mode,optional"`
	Certificate string `json:"certificate,omitempty" hcl:"certificate,optional"`
	PrivateKey  string `json:"private_key,omitempty" hcl:"private_key,optional" sensitive:"true"`
	// OriginCABundle is PEM certificates trusted for origins in addition to the system
	// roots (origins behind a private PKI).
	OriginCABundle string `json:"origin_ca_bundle,omitempty" hcl:"origin_ca_bundle,optional"`
	// LeafCacheSize bounds how many minted host certificates are kept (default 10000).
	LeafCacheSize int `json:"leaf_cache_size,omitempty" hcl:"leaf_cache_size,optional"`
}

// CA modes.
const (
	CAModeAppliance = "appliance"
	CAModeCommon    = "common"
	CAModeCustom    = "custom"
)

// MaxPEMBytes is the largest certificate or key text accepted (the original's upload limit).
const MaxPEMBytes = 3 << 20

// DefaultLeafCacheSize is how many minted host certificates are kept unless configured.
const DefaultLeafCacheSize = 10000

// Cache configures the in-memory object cache of the cache port.
type Cache struct {
	// MemoryPercent is the share of the memory limit (cgroup limit, else host RAM) the
	// cache may hold; default 40. Size, when set, wins.
	MemoryPercent int `json:"memory_percent,omitempty" hcl:"memory_percent,optional"`
	// Size is an absolute cache size such as "2GB" or "512MB".
	Size string `json:"size,omitempty" hcl:"size,optional"`
	// MaxObjectSize is the largest response kept in memory (default "512MB"); larger
	// responses are streamed to the client and not cached.
	MaxObjectSize string `json:"max_object_size,omitempty" hcl:"max_object_size,optional"`
	// RefreshRules give freshness to responses by URL pattern, like Squid's
	// refresh_pattern; the first rule that matches applies.
	RefreshRules []RefreshRule `json:"refresh_rule,omitempty" hcl:"refresh_rule,block"`
}

// RefreshRule is Squid's "refresh_pattern [-i] regex min percent max [override-expire]"
// with types: durations are strings such as "10m" or "168h".
type RefreshRule struct {
	// Pattern is a regular expression (RE2) matched against the absolute URL.
	Pattern    string `json:"pattern" hcl:"pattern,required"`
	IgnoreCase bool   `json:"ignore_case,omitempty" hcl:"ignore_case,optional"`
	// Min is how long a response without an explicit expiry is fresh at least.
	Min string `json:"min,omitempty" hcl:"min,optional"`
	// Percent of the response's age at fetch time (Date − Last-Modified) it stays fresh.
	Percent int `json:"percent,omitempty" hcl:"percent,optional"`
	// Max is the upper bound of the freshness the rule gives.
	Max string `json:"max,omitempty" hcl:"max,optional"`
	// OverrideExpire applies the rule even when the origin sent max-age or Expires.
	OverrideExpire bool `json:"override_expire,omitempty" hcl:"override_expire,optional"`
}

// Patch configures patch mode: large files cached on a second disk. Present means on.
type Patch struct {
	// Directory is where patch files are kept (the placement mounts the second disk here).
	Directory string `json:"directory" hcl:"directory,required"`
	// Size caps the bytes kept on disk (default "10GB"); least recently used files go first.
	Size string `json:"size,omitempty" hcl:"size,optional"`
	// AllowedClients are the client CIDRs patch mode serves. Patch mode is open to any
	// domain, so it is closed to everyone not listed here (default: the gateway's
	// allowed_clients, else loopback only).
	AllowedClients []string `json:"allowed_clients,omitempty" hcl:"allowed_clients,optional"`
	// URLPatterns are regular expressions (RE2, case-insensitive) of the URLs that are
	// patch files; default: common update and package file extensions.
	URLPatterns []string `json:"url_patterns,omitempty" hcl:"url_patterns,optional"`
	// Revalidate is how long a patch file is served before the origin is asked whether it
	// changed (default "24h").
	Revalidate string `json:"revalidate,omitempty" hcl:"revalidate,optional"`
}

// Defaults of the cache port.
const (
	DefaultCacheMemoryPercent  = 40
	DefaultCacheMaxObjectSize  = "512MB"
	DefaultPatchSize           = "10GB"
	DefaultPatchRevalidate     = "24h"
	DefaultPatchURLPattern     = `\.(msu|msi|msp|cab|exe|psf|esd|appx|msix|deb|rpm|apk|iso|img|zip|tar|gz|xz|zst|pkg|dmg)(\?|$)`
	defaultPatchAllowedClients = "127.0.0.0/8"
)

// applyCADefaults returns ca with its defaults (a new block when nil).
func applyCADefaults(ca *CA) *CA {
	if ca == nil {
		ca = &CA{}
	}
	if ca.Mode == "" {
		ca.Mode = CAModeAppliance
	}
	if ca.LeafCacheSize == 0 {
		ca.LeafCacheSize = DefaultLeafCacheSize
	}
	return ca
}

// applyCacheDefaults returns c with its defaults (a new block when nil).
func applyCacheDefaults(c *Cache) *Cache {
	if c == nil {
		c = &Cache{}
	}
	if c.MemoryPercent == 0 {
		c.MemoryPercent = DefaultCacheMemoryPercent
	}
	if c.MaxObjectSize == "" {
		c.MaxObjectSize = DefaultCacheMaxObjectSize
	}
	return c
}

// applyPatchDefaults fills the unset fields of a configured patch block.
func applyPatchDefaults(p *Patch) *Patch {
	if p == nil {
		return nil
	}
	if p.Size == "" {
		p.Size = DefaultPatchSize
	}
	if len(p.AllowedClients) == 0 {
		p.AllowedClients = []string{defaultPatchAllowedClients}
	}
	if len(p.URLPatterns) == 0 {
		p.URLPatterns = []string{DefaultPatchURLPattern}
	}
	if p.Revalidate == "" {
		p.Revalidate = DefaultPatchRevalidate
	}
	return p
}

// ApplyCacheDefaults fills the defaults of the ca, cache and patch blocks. Config.ApplyDefaults
// calls it; the cache port calls it too so that a Config built in code works.
func ApplyCacheDefaults(c *Config) {
	c.CA = applyCADefaults(c.CA)
	c.Cache = applyCacheDefaults(c.Cache)
	if c.Patch != nil && len(c.Patch.AllowedClients) == 0 && len(c.AllowedClients) > 0 {
		// The gateway-level allowed_clients serve as patch mode's when the patch block has none.
		c.Patch.AllowedClients = append([]string(nil), c.AllowedClients...)
	}
	c.Patch = applyPatchDefaults(c.Patch)
}

// ValidateCacheSettings checks the ca, cache and patch blocks; Config.Validate appends
// its errors. Each error names the field and says what to do.
func ValidateCacheSettings(c *Config) []error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	validateCA(c.CA, bad)
	validateCache(c.Cache, bad)
	validatePatch(c.Patch, bad)
	return errs
}

func validateCA(ca *CA, bad func(path, format string, args ...any)) {
	if ca == nil {
		return
	}
	switch ca.Mode {
	case "", CAModeAppliance:
		if ca.Certificate != "" || ca.PrivateKey != "" {
			bad("ca.mode", "the appliance CA is generated by the gateway; set mode = \"common\" or \"custom\" to use the certificate and private_key given")
		}
	case CAModeCommon, CAModeCustom:
		if ca.Certificate == "" || ca.PrivateKey == "" {
			bad("ca", "mode %q needs both certificate and private_key (PEM, e.g. file(\"ca.crt\") and file(\"ca.key\"))", ca.Mode)
		}
	default:
		bad("ca.mode", "%q is not one of \"appliance\", \"common\", \"custom\"", ca.Mode)
	}
	for _, f := range []struct{ path, value string }{
		{"ca.certificate", ca.Certificate}, {"ca.private_key", ca.PrivateKey}, {"ca.origin_ca_bundle", ca.OriginCABundle},
	} {
		if len(f.value) > MaxPEMBytes {
			bad(f.path, "is %d bytes; the limit is 3 MB (%d bytes): give only the certificates needed", len(f.value), MaxPEMBytes)
		}
	}
	if ca.Certificate != "" && !strings.Contains(ca.Certificate, "-----BEGIN CERTIFICATE-----") {
		bad("ca.certificate", "must hold a PEM certificate (use file(\"ca.crt\") in HCL)")
	}
	if ca.PrivateKey != "" {
		if strings.Contains(ca.PrivateKey, "ENCRYPTED") {
			bad("ca.private_key", "is encrypted; the cache port takes an unencrypted key (openssl pkey -in key.pem -out plain.pem)")
		} else if !strings.Contains(ca.PrivateKey, "PRIVATE KEY-----") {
			bad("ca.private_key", "must hold a PEM private key (use file(\"ca.key\") in HCL)")
		}
	}
	if ca.OriginCABundle != "" && len(ca.OriginCABundle) <= MaxPEMBytes {
		if _, err := ParseCertificates([]byte(ca.OriginCABundle)); err != nil {
			bad("ca.origin_ca_bundle", "%v", err)
		}
	}
	if ca.LeafCacheSize < 0 {
		bad("ca.leaf_cache_size", "must not be negative")
	}
}

func validateCache(c *Cache, bad func(path, format string, args ...any)) {
	if c == nil {
		return
	}
	if c.MemoryPercent < 0 || c.MemoryPercent > 90 {
		bad("cache.memory_percent", "%d is outside 1-90 (percent of the memory limit)", c.MemoryPercent)
	}
	validateSize("cache.size", c.Size, bad)
	validateSize("cache.max_object_size", c.MaxObjectSize, bad)
	for i, r := range c.RefreshRules {
		path := fmt.Sprintf("cache.refresh_rule[%d]", i)
		if _, err := r.Compile(); err != nil {
			bad(path+".pattern", "%v", err)
		}
		if r.Percent < 0 {
			bad(path+".percent", "must not be negative")
		}
		validateDuration(path+".min", r.Min, true, bad)
		validateDuration(path+".max", r.Max, true, bad)
		if lo, hi := r.MinDuration(), r.MaxDuration(); r.Max != "" && lo > hi {
			bad(path, "min (%s) is longer than max (%s)", r.Min, r.Max)
		}
	}
}

func validatePatch(p *Patch, bad func(path, format string, args ...any)) {
	if p == nil {
		return
	}
	if p.Directory == "" || !strings.HasPrefix(p.Directory, "/") {
		bad("patch.directory", "%q must be an absolute path (where the second disk is mounted)", p.Directory)
	}
	validateSize("patch.size", p.Size, bad)
	for i, cidr := range p.AllowedClients {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			bad(fmt.Sprintf("patch.allowed_clients[%d]", i), "%q is not a CIDR such as \"10.0.0.0/8\"", cidr)
		}
	}
	for i, pat := range p.URLPatterns {
		if _, err := regexp.Compile("(?i)" + pat); err != nil {
			bad(fmt.Sprintf("patch.url_patterns[%d]", i), "is not a regular expression: %v", err)
		}
	}
	validateDuration("patch.revalidate", p.Revalidate, false, bad)
}

func validateSize(path, value string, bad func(path, format string, args ...any)) {
	if value == "" {
		return
	}
	if n, err := ParseSize(value); err != nil || n <= 0 {
		bad(path, "%q is not a size such as \"512MB\" or \"2GB\"", value)
	}
}

func validateDuration(path, value string, zeroOK bool, bad func(path, format string, args ...any)) {
	if value == "" {
		return
	}
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 || (d == 0 && !zeroOK) {
		bad(path, "%q is not a duration such as \"10m\" or \"168h\"", value)
	}
}

// ParseSize reads "512MB", "2GB", "10G", "1.5TB" or a number of bytes. Units are binary
// (1 KB = 1024 bytes), as memory and disk sizes are in the placement blocks.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || v < 0 || v*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("size %q: want a number with an optional unit KB, MB, GB or TB", s)
	}
	return int64(v * float64(mult)), nil
}

// MaxObjectBytes is the largest response kept in memory.
func (c *Cache) MaxObjectBytes() int64 {
	if c != nil {
		if n, err := ParseSize(c.MaxObjectSize); err == nil && n > 0 {
			return n
		}
	}
	n, _ := ParseSize(DefaultCacheMaxObjectSize)
	return n
}

// CacheBytes is the in-memory cache size for a memory limit of memoryLimit bytes.
func (c *Cache) CacheBytes(memoryLimit int64) int64 {
	if c != nil && c.Size != "" {
		if n, err := ParseSize(c.Size); err == nil && n > 0 {
			return n
		}
	}
	pct := DefaultCacheMemoryPercent
	if c != nil && c.MemoryPercent > 0 {
		pct = c.MemoryPercent
	}
	return int64(float64(memoryLimit) * float64(pct) / 100)
}

// Compile returns the rule's regular expression.
func (r RefreshRule) Compile() (*regexp.Regexp, error) {
	expr := r.Pattern
	if r.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%q is not a regular expression: %w", r.Pattern, err)
	}
	return re, nil
}

// MinDuration is Min parsed (0 when unset or invalid).
func (r RefreshRule) MinDuration() time.Duration { d, _ := time.ParseDuration(r.Min); return d }

// MaxDuration is Max parsed (0 when unset or invalid).
func (r RefreshRule) MaxDuration() time.Duration { d, _ := time.ParseDuration(r.Max); return d }

// SizeBytes is the patch store's cap.
func (p *Patch) SizeBytes() int64 {
	n, err := ParseSize(p.Size)
	if err != nil || n <= 0 {
		n, _ = ParseSize(DefaultPatchSize)
	}
	return n
}

// RevalidateAfter is how long a patch file is served without asking the origin.
func (p *Patch) RevalidateAfter() time.Duration {
	d, err := time.ParseDuration(p.Revalidate)
	if err != nil || d <= 0 {
		d, _ = time.ParseDuration(DefaultPatchRevalidate)
	}
	return d
}

// ParseCertificates reads every CERTIFICATE block of a PEM text, in order.
func ParseCertificates(pemText []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := pemText; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM certificate found (want -----BEGIN CERTIFICATE----- blocks)")
	}
	return certs, nil
}
