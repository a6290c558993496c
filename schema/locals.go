package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// locals decodes one `locals { }` block; a configuration may have any number of them.
func (d *decoder) locals(block *hcl.Block) hcl.Diagnostics {
	attrs, diags := block.Body.JustAttributes()
	for _, attr := range inSourceOrder(attrs) {
		name := attr.Name
		if prev, ok := d.config.Locals[name]; ok {
			diags = append(diags, duplicate("Duplicate local value definition", fmt.Sprintf("A local value named %q", name),
				prev.DeclRange, attr.NameRange, "Local value names must be unique within a configuration."))
			continue
		}
		d.config.Locals[name] = &Local{Name: name, Expr: attr.Expr, DeclRange: attr.NameRange}
	}
	return diags
}
