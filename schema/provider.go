package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

var providerMetaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "alias"}}}

func (d *decoder) provider(block *hcl.Block) hcl.Diagnostics {
	p := &Provider{Type: block.Labels[0], DeclRange: block.DefRange}
	var diags hcl.Diagnostics
	if diag := invalidName("provider", p.Type, block.LabelRanges[0]); diag != nil {
		diags = append(diags, diag)
	}
	content, body, metaDiags := block.Body.PartialContent(providerMetaSchema)
	diags = append(diags, metaDiags...)
	p.Body = orderedBody{body}
	if attr, ok := content.Attributes["alias"]; ok {
		aliasDiags := decodeLiteral(attr.Expr, &p.Alias)
		diags = append(diags, aliasDiags...)
		if !aliasDiags.HasErrors() {
			if diag := invalidName("provider alias", p.Alias, attr.Expr.Range()); diag != nil {
				diags = append(diags, diag)
			}
		}
	}
	if prev, ok := d.providers[p.Addr()]; ok {
		what := fmt.Sprintf("A default configuration of provider %q", p.Type)
		if p.Alias != "" {
			what = fmt.Sprintf("A configuration of provider %q with alias %q", p.Type, p.Alias)
		}
		return append(diags, duplicate("Duplicate provider configuration", what, prev.DeclRange, p.DeclRange,
			"Give each further configuration of the same provider a distinct alias."))
	}
	d.providers[p.Addr()] = p
	d.config.Providers = append(d.config.Providers, p)
	return diags
}
