// Package indicators holds lists of known-bad IPs (or CIDR prefixes), domains and JA3 TLS
// fingerprints, loaded from files and replaced as a whole on reload.
//
// File format: one indicator per line; "#" starts a comment; blank lines are ignored. An IP
// line is an address or a prefix (203.0.113.0/24); a domain line matches that domain and
// every name under it; a JA3 line is the 32-hex-digit MD5, optionally followed by white
// space and a label (the label is reported).
package indicators

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// Lists is an immutable set of indicators.
type Lists struct {
	ips      map[netip.Addr]struct{}
	prefixes []netip.Prefix
	domains  map[string]struct{}
	ja3      map[string]string // hash → label
}

// Empty returns lists that match nothing.
func Empty() *Lists {
	return &Lists{ips: map[netip.Addr]struct{}{}, domains: map[string]struct{}{}, ja3: map[string]string{}}
}

// Load reads the indicator files. An error names the file and line.
func Load(ipFiles, domainFiles, ja3Files []string) (*Lists, error) {
	l := Empty()
	for _, f := range ipFiles {
		if err := eachLine(f, l.addIP); err != nil {
			return nil, err
		}
	}
	for _, f := range domainFiles {
		if err := eachLine(f, l.addDomain); err != nil {
			return nil, err
		}
	}
	for _, f := range ja3Files {
		if err := eachLine(f, l.addJA3); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Len is the number of indicators.
func (l *Lists) Len() int { return len(l.ips) + len(l.prefixes) + len(l.domains) + len(l.ja3) }

// MatchIP reports whether addr is listed (exactly or inside a listed prefix).
func (l *Lists) MatchIP(addr netip.Addr) bool {
	if len(l.ips) > 0 {
		if _, ok := l.ips[addr.Unmap()]; ok {
			return true
		}
	}
	for _, p := range l.prefixes {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// MatchDomain returns the listed domain that name is (or is under), or "".
func (l *Lists) MatchDomain(name string) string {
	if len(l.domains) == 0 || name == "" {
		return ""
	}
	name = strings.TrimSuffix(name, ".")
	for {
		if _, ok := l.domains[name]; ok {
			return name
		}
		dot := strings.IndexByte(name, '.')
		if dot < 0 {
			return ""
		}
		name = name[dot+1:]
	}
}

// MatchJA3 returns the label of a listed JA3 hash (the hash itself when unlabelled) and
// whether it is listed.
func (l *Lists) MatchJA3(hash string) (string, bool) {
	label, ok := l.ja3[hash]
	return label, ok
}

func (l *Lists) addIP(s string) error {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("%q is not an IP prefix such as 203.0.113.0/24", s)
		}
		l.prefixes = append(l.prefixes, p.Masked())
		return nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return fmt.Errorf("%q is not an IP address", s)
	}
	l.ips[a.Unmap()] = struct{}{}
	return nil
}

func (l *Lists) addDomain(s string) error {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if strings.ContainsAny(s, " /:") || s == "" {
		return fmt.Errorf("%q is not a domain name", s)
	}
	l.domains[s] = struct{}{}
	return nil
}

func (l *Lists) addJA3(s string) error {
	fields := strings.Fields(s)
	hash := strings.ToLower(fields[0])
	if len(hash) != 32 || strings.Trim(hash, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a JA3 hash (32 hex digits)", fields[0])
	}
	label := hash
	if len(fields) > 1 {
		label = strings.Join(fields[1:], " ")
	}
	l.ja3[hash] = label
	return nil
}

func eachLine(path string, add func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("indicator list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := add(line); err != nil {
			return fmt.Errorf("indicator list %s line %d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("indicator list %s: %w", path, err)
	}
	return nil
}
