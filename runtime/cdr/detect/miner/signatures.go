package miner

import (
	"bufio"
	"bytes"
	_ "embed" // the bundled signature file
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
)

//go:embed signatures.txt
var bundledSignatures []byte

// Signature is one byte pattern of a known miner binary.
type Signature struct {
	Name    string
	Pattern []byte
}

// LoadSignatures reads a signature file (format: see signatures.txt); an empty path means
// the bundled list.
func LoadSignatures(path string) ([]Signature, error) {
	if path == "" {
		return ParseSignatures(bundledSignatures)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read miner signatures: %w", err)
	}
	sigs, err := ParseSignatures(data)
	if err != nil {
		return nil, fmt.Errorf("miner signatures %s: %w", path, err)
	}
	return sigs, nil
}

// ParseSignatures parses the signature file format.
func ParseSignatures(data []byte) ([]Signature, error) {
	var sigs []Signature
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, rest, ok := strings.Cut(text, " ")
		if !ok {
			name, rest, ok = strings.Cut(text, "\t")
		}
		rest = strings.TrimSpace(rest)
		if !ok || rest == "" {
			return nil, fmt.Errorf("line %d: want NAME followed by a \"quoted\" or hex: pattern", line)
		}
		var pattern []byte
		switch {
		case strings.HasPrefix(rest, "hex:"):
			p, err := hex.DecodeString(strings.TrimPrefix(rest, "hex:"))
			if err != nil {
				return nil, fmt.Errorf("line %d: bad hex pattern: %w", line, err)
			}
			pattern = p
		case strings.HasPrefix(rest, `"`):
			s, err := strconv.Unquote(rest)
			if err != nil {
				return nil, fmt.Errorf("line %d: bad quoted pattern (use Go string escapes): %w", line, err)
			}
			pattern = []byte(s)
		default:
			return nil, fmt.Errorf("line %d: pattern must be \"quoted\" or hex:..., got %q", line, rest)
		}
		if len(pattern) < 4 {
			return nil, fmt.Errorf("line %d: pattern %q is shorter than 4 bytes and would match everywhere", line, pattern)
		}
		sigs = append(sigs, Signature{Name: name, Pattern: pattern})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return sigs, nil
}
