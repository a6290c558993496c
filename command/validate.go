package command

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/schema"
)

func init() {
	register(&cmd{
		name:     "validate",
		synopsis: "Check the configuration without touching anything",
		usage: `Usage: rampart validate

Checks syntax, block and attribute names, types, references (including cycles), the
runtime settings of every appliance and each placement against its provider's schema.
Variables need no values: they are treated as unknown. Nothing is read or changed.

Example:
  rampart validate && echo ok
`,
		run: func(m *meta, args []string) int {
			c := commands["validate"]
			fs := c.flags(m)
			if done, code := c.parse(m, fs, args); done {
				return code
			}
			e, ok := m.openWith(engine.Options{Validating: true})
			if !ok {
				return 1
			}
			defer e.Close()
			diags := e.Validate(context.Background())
			m.diags(diags)
			if diags.HasErrors() {
				return 1
			}
			m.printf("Success! The configuration is valid.\n")
			return 0
		},
	})
	register(&cmd{
		name:     "fmt",
		synopsis: "Rewrite *.hcl files in the canonical format",
		usage: `Usage: rampart fmt [-check] [-diff] [-recursive] [PATH...]

Rewrites the .hcl files in the current directory (or the given files and directories)
in the canonical format: aligned "=", two-space indentation, normalised spacing.

Options:
  -check       change nothing; list unformatted files and exit 3 if there are any
  -diff        print the changes
  -recursive   also process subdirectories

Examples:
  rampart fmt
  rampart fmt -check -recursive   # in CI
`,
		run: runFmt,
	})
}

func runFmt(m *meta, args []string) int {
	c := commands["fmt"]
	fs := c.flags(m)
	check := fs.Bool("check", false, "")
	diff := fs.Bool("diff", false, "")
	recursive := fs.Bool("recursive", false, "")
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []string
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(m.dir, p)
		}
		st, err := os.Stat(p)
		if err != nil {
			return m.errorf("%v", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (!*recursive || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), ".hcl") && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return m.errorf("%v", err)
		}
	}
	sort.Strings(files)
	unformatted := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return m.errorf("%v", err)
		}
		out, diags := schema.Format(src, f)
		if diags.HasErrors() {
			m.diags(diags)
			return 1
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted++
		rel, _ := filepath.Rel(m.dir, f)
		m.printf("%s\n", rel)
		if *diff {
			m.printf("%s", lineDiff(string(src), string(out)))
		}
		if !*check {
			st, _ := os.Stat(f)
			if err := os.WriteFile(f, out, st.Mode().Perm()); err != nil {
				return m.errorf("write %s: %v", f, err)
			}
		}
	}
	if *check && unformatted > 0 {
		return 3
	}
	return 0
}

// lineDiff is a minimal line diff for -diff: formatting changes lines in place, so a
// line-by-line comparison is enough.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "-%s\n+%s\n", x, y)
		}
	}
	return out.String()
}
