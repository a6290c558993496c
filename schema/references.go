package schema

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// decodeDependsOn reads `depends_on = [waf.shop, gateway.dc1]`: a list of bare references.
func decodeDependsOn(attr *hcl.Attribute) ([]hcl.Traversal, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid depends_on value",
			Detail:   "depends_on takes a list of references to other blocks, for example depends_on = [waf.shop].",
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	var refs []hcl.Traversal
	for _, expr := range exprs {
		traversal, travDiags := hcl.AbsTraversalForExpr(expr)
		if travDiags.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid depends_on reference",
				Detail:   "Each depends_on entry is the address of another block, written without quotes, for example waf.shop; strings, function calls and other expressions are not allowed.",
				Subject:  expr.Range().Ptr(),
			})
			continue
		}
		refs = append(refs, traversal)
	}
	return refs, diags
}

// decodeIgnoreChanges reads `ignore_changes = [site, listen.http]`: paths relative to the
// appliance. (`ignore_changes = all` is told apart before.)
func decodeIgnoreChanges(attr *hcl.Attribute) ([]hcl.Traversal, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid ignore_changes value",
			Detail:   "ignore_changes takes a list of attribute paths of this appliance, for example ignore_changes = [site, listen.http], or the keyword all to ignore every change once the appliance exists.",
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	var paths []hcl.Traversal
	for _, expr := range exprs {
		traversal, travDiags := hcl.RelTraversalForExpr(expr)
		if travDiags.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid ignore_changes entry",
				Detail:   "Each ignore_changes entry is an attribute path of this appliance written without quotes, for example listen.http.",
				Subject:  expr.Range().Ptr(),
			})
			continue
		}
		paths = append(paths, traversal)
	}
	return paths, diags
}

// inSourceOrder lists attributes in the order they are written, for deterministic
// diagnostics.
func inSourceOrder(attrs hcl.Attributes) []*hcl.Attribute {
	list := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i].NameRange, list[j].NameRange
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return list
}

// decodeLiteral decodes an expression that may not refer to anything (alias, lifecycle
// flags, descriptions) into target. A reference is reported once, by HCL's own "Variables
// not allowed", without a follow-up complaint about the unknown result.
func decodeLiteral(expr hcl.Expression, target any) hcl.Diagnostics {
	if _, diags := expr.Value(nil); diags.HasErrors() {
		return diags
	}
	return gohcl.DecodeExpression(expr, nil, target)
}
