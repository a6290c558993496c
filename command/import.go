package command

import (
	"context"

	"github.com/rampart-sec/rampart/engine"
)

func init() {
	register(&cmd{
		name:     "import",
		synopsis: "Adopt an appliance that already runs",
		usage: `Usage: rampart import [options] ADDRESS ID

Records an appliance that already runs in state at ADDRESS, so rampart manages it
from now on. ADDRESS must be declared in the configuration; ID is the provider's id
for it, optionally prefixed with the placement type: a pid for local
(local:4242), a container id or name for docker (docker:shop-waf).
Run "rampart plan" afterwards to see how it differs from the configuration.

Options:
  -var, -var-file, -lock-timeout: as for apply

Examples:
  rampart import waf.shop local:4242
  rampart import 'waf.edge["eu"]' docker:edge-eu
`,
		run: runImport,
	})
}

func runImport(m *meta, args []string) int {
	c := commands["import"]
	fs := c.flags(m)
	m.varFlags(fs)
	m.opFlags(fs)
	if done, code := c.parse(m, fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		return m.errorf("import needs ADDRESS and ID, e.g. rampart import waf.shop local:4242")
	}
	e, ok := m.openWith(engine.Options{Refresh: true})
	if !ok {
		return 1
	}
	defer e.Close()
	ctx := context.Background()
	unlock, code := m.lock(e, "import")
	if unlock == nil {
		return code
	}
	defer unlock()
	diags := e.Import(ctx, fs.Arg(0), fs.Arg(1))
	m.diags(diags)
	if diags.HasErrors() {
		return 1
	}
	m.printf("Imported %s. Run \"rampart plan\" to compare it with the configuration.\n", fs.Arg(0))
	return 0
}
