package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "condition", Required: true},
	{Name: "error_message", Required: true},
}}

func (d *decoder) variable(block *hcl.Block) hcl.Diagnostics {
	v := &Variable{Name: block.Labels[0], Type: cty.DynamicPseudoType, DeclRange: block.DefRange}
	var diags hcl.Diagnostics
	if diag := invalidName("variable", v.Name, block.LabelRanges[0]); diag != nil {
		diags = append(diags, diag)
	}
	content, contentDiags := block.Body.Content(variableSchema)
	diags = append(diags, contentDiags...)

	if attr, ok := content.Attributes["type"]; ok {
		ty, typeDiags := typeexpr.TypeConstraint(attr.Expr)
		diags = append(diags, typeDiags...)
		if !typeDiags.HasErrors() {
			v.Type = ty
		}
	}
	if attr, ok := content.Attributes["description"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &v.Description)...)
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &v.Sensitive)...)
	}
	if attr, ok := content.Attributes["default"]; ok {
		diags = append(diags, v.decodeDefault(attr)...)
	}
	for _, b := range content.Blocks {
		val, valDiags := decodeValidation(v.Name, b)
		diags = append(diags, valDiags...)
		if val != nil {
			v.Validations = append(v.Validations, val)
		}
	}

	if prev, ok := d.config.Variables[v.Name]; ok {
		return append(diags, duplicate("Duplicate variable declaration", fmt.Sprintf("A variable named %q", v.Name),
			prev.DeclRange, v.DeclRange, "Variable names must be unique within a configuration."))
	}
	d.config.Variables[v.Name] = v
	return diags
}

// decodeDefault evaluates the default, which may not refer to anything, and converts it to
// the declared type so that a bad default is reported where it is written.
func (v *Variable) decodeDefault(attr *hcl.Attribute) hcl.Diagnostics {
	val, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	converted, err := convert.Convert(val, v.Type)
	if err != nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid default value for variable",
			Detail:   fmt.Sprintf("The default of variable %q does not match its type %s: %s.", v.Name, typeString(v.Type), err),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	v.Default = converted
	return diags
}

func decodeValidation(varName string, block *hcl.Block) (*Validation, hcl.Diagnostics) {
	content, diags := block.Body.Content(validationSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	val := &Validation{
		Condition:    content.Attributes["condition"].Expr,
		ErrorMessage: content.Attributes["error_message"].Expr,
		DeclRange:    block.DefRange,
	}
	// The condition is evaluated with only this variable in scope, so say so now rather
	// than with a puzzling "unknown variable" when values are loaded.
	for _, traversal := range val.Condition.Variables() {
		if refersTo(traversal, varName) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference in variable validation",
			Detail:   fmt.Sprintf("The condition of variable %q can only refer to the variable itself, as var.%s.", varName, varName),
			Subject:  traversal.SourceRange().Ptr(),
		})
	}
	return val, diags
}

// refersTo reports whether traversal starts with var.<name>.
func refersTo(traversal hcl.Traversal, name string) bool {
	if len(traversal) < 2 || traversal.RootName() != "var" {
		return false
	}
	attr, ok := traversal[1].(hcl.TraverseAttr)
	return ok && attr.Name == name
}

// typeString spells a type as it is written in a type constraint.
func typeString(ty cty.Type) string {
	if ty == cty.DynamicPseudoType {
		return "any"
	}
	return typeexpr.TypeString(ty)
}
