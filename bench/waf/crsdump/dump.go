package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Names of the files in the module's embedded FS. The module prefixes them with "@" so
// that Coraza's Include resolves them from its root FS; on disk the prefix is dropped.
const (
	embeddedSetup       = "@crs-setup.conf.example"
	embeddedRecommended = "@coraza.conf-recommended"
	embeddedRulesDir    = "@owasp_crs"
)

// dump copies the rule set from crs (the module's FS) into dir and returns how many files
// it wrote. Only rule files (*.conf) and the data files they load (*.data) are copied.
func dump(crs fs.FS, dir string) (int, error) {
	rulesDir := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rulesDir, 0o755); err != nil {
		return 0, fmt.Errorf("create %s: %w", rulesDir, err)
	}
	written := 0
	for src, dst := range map[string]string{
		embeddedSetup:       filepath.Join(dir, "crs-setup.conf.example"),
		embeddedRecommended: filepath.Join(dir, "coraza.conf-recommended"),
	} {
		if err := copyFile(crs, src, dst, separateDirectives); err != nil {
			return written, err
		}
		written++
	}
	entries, err := fs.ReadDir(crs, embeddedRulesDir)
	if err != nil {
		return written, fmt.Errorf("list embedded %s: %w", embeddedRulesDir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".conf") || strings.HasSuffix(name, ".data")) {
			continue
		}
		transform := identity
		if strings.HasSuffix(name, ".conf") {
			transform = separateDirectives
		}
		if err := copyFile(crs, path.Join(embeddedRulesDir, name), filepath.Join(rulesDir, name), transform); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}

func copyFile(crs fs.FS, src, dst string, transform func([]byte) []byte) error {
	data, err := fs.ReadFile(crs, src)
	if err != nil {
		return fmt.Errorf("read embedded %s: %w", src, err)
	}
	if err := os.WriteFile(dst, transform(data), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

func identity(data []byte) []byte { return data }

// separateDirectives puts a blank line after every directive of a SecLang file. The
// module's copy of CRS has its comments and blank lines stripped, and libmodsecurity 3.0.9
// (Debian 12) fails to parse a chained SecRule without actions that is directly followed
// by another directive ("Expecting an action, got: SecRule ..."), as in rule 949111.
// Blank lines carry no meaning in SecLang, so the rules are unchanged.
func separateDirectives(data []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(data) + len(data)/16)
	for line := range strings.Lines(string(data)) {
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteByte('\n')
		}
		if !strings.HasSuffix(strings.TrimRight(line, " \t\r\n"), "\\") {
			out.WriteByte('\n') // the directive ends here
		}
	}
	return out.Bytes()
}
