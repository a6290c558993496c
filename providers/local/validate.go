package local

import (
	"context"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// Validate checks a `local` block beyond its schema. Values may be unknown; those are
// checked at plan time.
func (p *placement) Validate(_ context.Context, req *protocol.ValidateRequest) protocol.Diagnostics {
	if req.Block != PlacementType {
		return nil
	}
	var diags protocol.Diagnostics
	if v, _ := shape.Attr(req.Config, attrBinary).Unmark(); v.IsKnown() && !v.IsNull() && strings.TrimSpace(v.AsString()) == "" {
		diags = append(diags, protocol.Diagnostic{
			Severity:  protocol.Error,
			Summary:   "empty binary",
			Detail:    "Set binary to the path of the runtime binary, or remove it to use the one built by `make build`.",
			Attribute: cty.GetAttrPath(attrBinary),
		})
	}
	env, _ := shape.Attr(req.Config, attrEnv).UnmarkDeep()
	if !env.IsKnown() || env.IsNull() {
		return diags
	}
	for it := env.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		name := k.AsString()
		if name == "" || strings.ContainsAny(name, "=\x00") {
			// The name, never the value: values may be secrets.
			diags = append(diags, protocol.Diagnostic{
				Severity:  protocol.Error,
				Summary:   "invalid environment variable name",
				Detail:    "Environment variable names must be non-empty and contain neither '=' nor NUL; " + quoteName(name) + " does not qualify.",
				Attribute: cty.GetAttrPath(attrEnv).Index(k),
			})
		}
	}
	return diags
}

func quoteName(name string) string {
	return `"` + strings.ReplaceAll(name, "\x00", `\0`) + `"`
}
