package command

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/rampart-sec/rampart/engine/plugin"
	"github.com/rampart-sec/rampart/schema"
)

func init() {
	register(&cmd{
		name:     "init",
		synopsis: "Find the provider plugins the configuration needs and lock their checksums",
		usage: `Usage: rampart init [-upgrade]

Looks for the provider plugins the configuration uses (rampart-provider-NAME in
RAMPART_PLUGIN_PATH, .rampart/plugins/ or next to the rampart binary) and records
their SHA-256 checksums in .rampart.lock.hcl. Commit that file: every later command
refuses a plugin whose checksum differs, so a swapped binary never runs.

Options:
  -upgrade   accept plugins whose checksum changed (after an intended upgrade)

Example:
  rampart init && git add .rampart.lock.hcl
`,
		run: runInit,
	})
}

func runInit(m *meta, args []string) int {
	c := commands["init"]
	fs := c.flags(m)
	upgrade := fs.Bool("upgrade", false, "")
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	cfg, diags := schema.Load(m.dir)
	if cfg != nil {
		m.files = cfg.Files
	}
	m.diags(diags)
	if diags.HasErrors() {
		return 1
	}
	needed := map[string]hcl.Range{}
	for _, p := range cfg.Providers {
		needed[p.Type] = p.DeclRange
	}
	for _, a := range cfg.Appliances {
		if a.Placement == nil {
			needed["local"] = a.DeclRange
		} else {
			needed[a.Placement.Type] = a.Placement.DeclRange
		}
	}
	names := make([]string, 0, len(needed))
	for n := range needed {
		names = append(names, n)
	}
	sort.Strings(names)

	found, err := plugin.Discover(m.dir)
	if err != nil {
		return m.errorf("look for plugins: %v", err)
	}
	lock, err := plugin.LoadLockfile(m.dir)
	if err != nil {
		return m.errorf("%v", err)
	}
	if err := os.MkdirAll(filepath.Join(m.dir, ".rampart"), 0o755); err != nil {
		return m.errorf("create .rampart: %v", err)
	}
	m.printf("Initializing provider plugins...\n")
	failed := false
	for _, name := range names {
		meta, ok := found[name]
		if !ok {
			dirs, _ := plugin.SearchDirs(m.dir)
			m.errorf("provider %q: no rampart-provider-%s found in %s. Build it (make build) or put it in .rampart/plugins/.", name, name, strings.Join(dirs, ", "))
			failed = true
			continue
		}
		if _, recorded := lock.Checksum(name); recorded && !*upgrade {
			if err := lock.Verify(meta); err != nil {
				m.errorf("%v", err)
				failed = true
				continue
			}
		} else if err := lock.Record(meta); err != nil {
			m.errorf("provider %q: %v", name, err)
			failed = true
			continue
		}
		sum, _ := lock.Checksum(name)
		m.printf("- %s: %s (%s)\n", name, meta.Path, sum)
	}
	if failed {
		return 1
	}
	if err := lock.Save(m.dir); err != nil {
		return m.errorf("write .rampart.lock.hcl: %v", err)
	}
	m.printf("\nrampart is initialized. Checksums are in .rampart.lock.hcl: commit it.\nNext: rampart plan\n")
	return 0
}
