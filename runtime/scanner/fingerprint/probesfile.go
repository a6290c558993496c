package fingerprint

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"rsc.io/binaryregexp"
)

// maxUserRarity: user probes rarer than this run only on the ports they list (nmap's
// default intensity is 7).
const maxUserRarity = 7

// ProbesFile is a user's service probes file in the nmap-service-probes format, read only
// when the user points service_probes_file at it (we never ship one: see the package comment).
// Patterns Go's regexp engine cannot run (PCRE back-references, look-arounds) are skipped
// and counted in Skipped.
type ProbesFile struct {
	Probes  []UserProbe
	Skipped int
}

// UserProbe is one "Probe TCP name q|...|" section.
type UserProbe struct {
	Name    string
	Payload []byte
	Ports   []int
	Rarity  int
	matches []userMatch
}

type userMatch struct {
	service          string
	pattern          *binaryregexp.Regexp
	product, version string // templates with $1..$9
	soft             bool
}

// UserMatch is what a user probe's match line said about an answer.
type UserMatch struct {
	Service, Product, Version string
}

// LoadProbesFile reads and parses a probes file.
func LoadProbesFile(path string) (*ProbesFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("service_probes_file: %w", err)
	}
	defer f.Close()
	pf, err := ParseProbesFile(f)
	if err != nil {
		return nil, fmt.Errorf("service_probes_file %s: %w", path, err)
	}
	return pf, nil
}

// ParseProbesFile parses the nmap-service-probes format: Probe, match, softmatch, ports,
// sslports and rarity lines; other directives are accepted and ignored.
func ParseProbesFile(r io.Reader) (*ProbesFile, error) {
	pf := &ProbesFile{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		directive, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		var current *UserProbe
		if len(pf.Probes) > 0 {
			current = &pf.Probes[len(pf.Probes)-1]
		}
		switch directive {
		case "Probe":
			p, err := parseProbeLine(rest)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", lineNo, err)
			}
			pf.Probes = append(pf.Probes, p)
		case "match", "softmatch":
			if current == nil {
				return nil, fmt.Errorf("line %d: %s before any Probe line", lineNo, directive)
			}
			m, err := parseMatchLine(rest)
			if err != nil {
				if err == errUnsupportedPattern {
					pf.Skipped++
					continue
				}
				return nil, fmt.Errorf("line %d: %w", lineNo, err)
			}
			m.soft = directive == "softmatch"
			current.matches = append(current.matches, m)
		case "ports", "sslports":
			if current == nil {
				return nil, fmt.Errorf("line %d: %s before any Probe line", lineNo, directive)
			}
			ports, err := parsePortList(rest)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", lineNo, err)
			}
			current.Ports = append(current.Ports, ports...)
		case "rarity":
			if current == nil {
				return nil, fmt.Errorf("line %d: rarity before any Probe line", lineNo)
			}
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 || n > 9 {
				return nil, fmt.Errorf("line %d: rarity %q is not 1-9", lineNo, rest)
			}
			current.Rarity = n
		case "Exclude", "totalwaitms", "tcpwrappedms", "fallback":
		default:
			return nil, fmt.Errorf("line %d: unknown directive %q", lineNo, directive)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return pf, nil
}

// parseProbeLine reads `TCP NAME q|payload|` (UDP probes are skipped by giving no payload).
func parseProbeLine(s string) (UserProbe, error) {
	fields := strings.SplitN(s, " ", 3)
	if len(fields) < 3 || (fields[0] != "TCP" && fields[0] != "UDP") {
		return UserProbe{}, fmt.Errorf("a Probe line must be `Probe TCP|UDP <name> q|<payload>|`, got %q", s)
	}
	p := UserProbe{Name: fields[1], Rarity: 1}
	quoted := strings.TrimSpace(fields[2])
	if len(quoted) < 3 || quoted[0] != 'q' {
		return UserProbe{}, fmt.Errorf("probe %s: payload must start with q and a delimiter", p.Name)
	}
	delim := quoted[1]
	end := strings.IndexByte(quoted[2:], delim)
	if end < 0 {
		return UserProbe{}, fmt.Errorf("probe %s: unterminated payload", p.Name)
	}
	payload, err := unescapeProbeString(quoted[2 : 2+end])
	if err != nil {
		return UserProbe{}, fmt.Errorf("probe %s: %w", p.Name, err)
	}
	if fields[0] == "TCP" {
		p.Payload = payload
	} else {
		p.Rarity = 10 // never run: we scan TCP only
	}
	return p, nil
}

var errUnsupportedPattern = fmt.Errorf("pattern not supported by Go regular expressions")

// parseMatchLine reads `service m|regex|flags p/product/ v/version/ ...`.
func parseMatchLine(s string) (userMatch, error) {
	service, rest, ok := strings.Cut(s, " ")
	if !ok || len(rest) < 3 || rest[0] != 'm' {
		return userMatch{}, fmt.Errorf("match line must be `match <service> m|<regex>|`, got %q", s)
	}
	delim := rest[1]
	end := strings.IndexByte(rest[2:], delim)
	if end < 0 {
		return userMatch{}, fmt.Errorf("match %s: unterminated pattern", service)
	}
	expr := rest[2 : 2+end]
	rest = rest[2+end+1:]
	flags := ""
	for len(rest) > 0 && (rest[0] == 'i' || rest[0] == 's') {
		flags += rest[:1]
		rest = rest[1:]
	}
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	re, err := binaryregexp.Compile(expr)
	if err != nil {
		return userMatch{}, errUnsupportedPattern
	}
	m := userMatch{service: service, pattern: re}
	for _, field := range versionFields(rest) {
		switch field.key {
		case "p":
			m.product = field.value
		case "v":
			m.version = field.value
		}
	}
	return m, nil
}

type versionField struct{ key, value string }

// versionFields splits ` p/vsftpd/ v/$1/ i/info/ cpe:/a:x:y/` into its fields.
func versionFields(s string) []versionField {
	var out []versionField
	for {
		s = strings.TrimLeft(s, " ")
		if len(s) < 3 {
			return out
		}
		key := s[:1]
		if strings.HasPrefix(s, "cpe:") {
			key, s = "cpe", s[3:]
		}
		delim := s[1]
		end := strings.IndexByte(s[2:], delim)
		if end < 0 {
			return out
		}
		out = append(out, versionField{key, s[2 : 2+end]})
		s = s[2+end+1:]
		if len(s) > 0 && s[0] == 'a' { // the cpe "a" flag
			s = s[1:]
		}
	}
}

// unescapeProbeString decodes the C-like escapes of a probe payload (\r \n \t \0 \xHH \\).
func unescapeProbeString(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, fmt.Errorf("payload ends with a lone backslash")
		}
		switch s[i] {
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '0':
			out = append(out, 0)
		case 'a':
			out = append(out, 7)
		case 'f':
			out = append(out, 12)
		case 'v':
			out = append(out, 11)
		case 'x':
			if i+3 > len(s) {
				return nil, fmt.Errorf("short \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad \\x escape %q", s[i+1:i+3])
			}
			out = append(out, byte(v))
			i += 2
		default:
			out = append(out, s[i])
		}
	}
	return out, nil
}

// parsePortList reads "21,25,80-85".
func parsePortList(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 1 || a > 65535 {
			return nil, fmt.Errorf("bad port %q", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b > 65535 {
				return nil, fmt.Errorf("bad port range %q", part)
			}
		}
		if b-a > 1024 {
			b = a + 1024 // a probe "likely" on thousands of ports is likely nowhere
		}
		for p := a; p <= b; p++ {
			out = append(out, p)
		}
	}
	return out, nil
}

// Match applies the probe's match lines to an answer: the first hard match wins, else the
// first soft match.
func (p *UserProbe) Match(answer []byte) (UserMatch, bool) {
	var soft *UserMatch
	for _, m := range p.matches {
		groups := m.pattern.FindSubmatch(answer)
		if groups == nil {
			continue
		}
		um := UserMatch{Service: m.service, Product: expandTemplate(m.product, groups), Version: expandTemplate(m.version, groups)}
		if !m.soft {
			return um, true
		}
		if soft == nil {
			soft = &um
		}
	}
	if soft != nil {
		return *soft, true
	}
	return UserMatch{}, false
}

// expandTemplate replaces $1..$9 with capture groups (printable bytes only).
func expandTemplate(tmpl string, groups [][]byte) string {
	if !strings.Contains(tmpl, "$") {
		return tmpl
	}
	var out bytes.Buffer
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '1' && tmpl[i+1] <= '9' {
			if n := int(tmpl[i+1] - '0'); n < len(groups) {
				out.WriteString(printable(groups[n]))
			}
			i++
			continue
		}
		out.WriteByte(tmpl[i])
	}
	return out.String()
}

// nullProbe is the user's listen-only probe, whose matches apply to our NULL answer.
func (pf *ProbesFile) nullProbe() *UserProbe {
	for i := range pf.Probes {
		if len(pf.Probes[i].Payload) == 0 && pf.Probes[i].Rarity <= 9 {
			return &pf.Probes[i]
		}
	}
	return nil
}
