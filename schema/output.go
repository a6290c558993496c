package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "value", Required: true},
	{Name: "description"},
	{Name: "sensitive"},
	{Name: "depends_on"},
}}

func (d *decoder) output(block *hcl.Block) hcl.Diagnostics {
	o := &Output{Name: block.Labels[0], DeclRange: block.DefRange}
	var diags hcl.Diagnostics
	if diag := invalidName("output", o.Name, block.LabelRanges[0]); diag != nil {
		diags = append(diags, diag)
	}
	content, contentDiags := block.Body.Content(outputSchema)
	diags = append(diags, contentDiags...)
	if attr, ok := content.Attributes["value"]; ok {
		o.Expr = attr.Expr
	}
	if attr, ok := content.Attributes["description"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &o.Description)...)
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &o.Sensitive)...)
	}
	if attr, ok := content.Attributes["depends_on"]; ok {
		refs, refDiags := decodeDependsOn(attr)
		diags = append(diags, refDiags...)
		o.DependsOn = refs
	}
	if prev, ok := d.config.Outputs[o.Name]; ok {
		return append(diags, duplicate("Duplicate output definition", fmt.Sprintf("An output named %q", o.Name),
			prev.DeclRange, o.DeclRange, "Output names must be unique within a configuration."))
	}
	d.config.Outputs[o.Name] = o
	return diags
}
