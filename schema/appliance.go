package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// metaAttributes are the appliance arguments that belong to rampart, not to the runtime.
var metaAttributes = []string{"count", "for_each", "depends_on"}

var lifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "prevent_destroy"},
	{Name: "create_before_destroy"},
	{Name: "ignore_changes"},
}}

var placementMetaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "provider"}}}

// appliance decodes one appliance block. Its body mixes three things: meta-arguments,
// the runtime configuration (the blocks and attributes of the kind's config type) and
// one placement block named after a provider. Everything that is neither meta nor
// placement stays in Runtime, where decoding with RuntimeSpec reports HCL's own errors.
func (d *decoder) appliance(block *hcl.Block) hcl.Diagnostics {
	a := &Appliance{Kind: block.Type, Name: block.Labels[0], DeclRange: block.DefRange, TypeRange: block.TypeRange}
	var diags hcl.Diagnostics
	if diag := invalidName("appliance", a.Name, block.LabelRanges[0]); diag != nil {
		diags = append(diags, diag)
	}
	body, ok := block.Body.(*hclsyntax.Body)
	if !ok {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported configuration syntax",
			Detail:   "Appliances must be written in native HCL syntax, in a .hcl file.",
			Subject:  a.DeclRange.Ptr(),
		})
	}
	a.syntax = body
	shape := shapeOf(a.Kind)

	// The meta schema names everything Runtime must not contain, so that a typo reported
	// here is not reported a second time when the engine decodes Runtime.
	meta := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "lifecycle"}}}
	for _, name := range metaAttributes {
		meta.Attributes = append(meta.Attributes, hcl.AttributeSchema{Name: name})
	}
	typoAttrs, typoDiags := misspelledBlockAttributes(body, shape)
	diags = append(diags, typoDiags...)
	for _, name := range typoAttrs {
		meta.Attributes = append(meta.Attributes, hcl.AttributeSchema{Name: name})
	}
	placements, typoBlocks, classifyDiags := classifyBlocks(body, shape)
	diags = append(diags, classifyDiags...)
	for _, name := range append(blockTypes(placements), typoBlocks...) {
		meta.Blocks = append(meta.Blocks, hcl.BlockHeaderSchema{Type: name})
	}

	content, runtime, metaDiags := body.PartialContent(meta)
	diags = append(diags, metaDiags...)
	a.Runtime = orderedBody{runtime}
	diags = append(diags, a.decodeMeta(content)...)

	if len(placements) > 1 {
		diags = append(diags, tooManyPlacements(placements))
	}
	for _, b := range content.Blocks {
		if len(placements) > 0 && b.Type == placements[0].Type {
			p, placementDiags := decodePlacement(b)
			diags = append(diags, placementDiags...)
			a.Placement = p
			break
		}
	}

	if prev, ok := d.appliances[a.Addr()]; ok {
		return append(diags, duplicate("Duplicate appliance", fmt.Sprintf("An appliance %s", a.Addr()),
			prev.DeclRange, a.DeclRange, fmt.Sprintf("Each %s block needs a name of its own.", a.Kind)))
	}
	d.appliances[a.Addr()] = a
	d.config.Appliances = append(d.config.Appliances, a)
	return diags
}

// decodeMeta reads count, for_each, depends_on and lifecycle.
func (a *Appliance) decodeMeta(content *hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if attr, ok := content.Attributes["count"]; ok {
		a.Count = attr.Expr
	}
	if attr, ok := content.Attributes["for_each"]; ok {
		a.ForEach = attr.Expr
		if a.Count != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  `Invalid combination of "count" and "for_each"`,
				Detail:   `The "count" and "for_each" meta-arguments are mutually exclusive: use count for a number of identical instances, or for_each for one instance per element of a map or set.`,
				Subject:  attr.NameRange.Ptr(),
			})
		}
	}
	if attr, ok := content.Attributes["depends_on"]; ok {
		refs, refDiags := decodeDependsOn(attr)
		diags = append(diags, refDiags...)
		a.DependsOn = refs
	}
	var lifecycle *hcl.Block
	for _, b := range content.Blocks {
		if b.Type != "lifecycle" {
			continue
		}
		if lifecycle != nil {
			diags = append(diags, duplicate("Duplicate lifecycle block", "A lifecycle block", lifecycle.DefRange, b.DefRange,
				"Merge the settings into one lifecycle block."))
			continue
		}
		lifecycle = b
		diags = append(diags, a.Lifecycle.decode(b)...)
	}
	return diags
}

func (l *Lifecycle) decode(block *hcl.Block) hcl.Diagnostics {
	content, diags := block.Body.Content(lifecycleSchema)
	if attr, ok := content.Attributes["prevent_destroy"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &l.PreventDestroy)...)
	}
	if attr, ok := content.Attributes["create_before_destroy"]; ok {
		diags = append(diags, decodeLiteral(attr.Expr, &l.CreateBeforeDestroy)...)
	}
	if attr, ok := content.Attributes["ignore_changes"]; ok {
		if hcl.ExprAsKeyword(attr.Expr) == "all" {
			l.IgnoreAllChanges = true
		} else {
			paths, pathDiags := decodeIgnoreChanges(attr)
			diags = append(diags, pathDiags...)
			l.IgnoreChanges = paths
		}
	}
	return diags
}

// classifyBlocks sorts the nested blocks of an appliance that are neither runtime blocks
// nor lifecycle into placement candidates and misspellings of runtime blocks. A block
// type that is also the name of a runtime attribute is left to HCL, which then suggests
// writing it as an attribute.
func classifyBlocks(body *hclsyntax.Body, shape *runtimeShape) (placements []*hclsyntax.Block, typos []string, diags hcl.Diagnostics) {
	known := append([]string{"lifecycle"}, shape.blocks...)
	typoSeen := map[string]bool{}
	for _, b := range body.Blocks {
		if slices.Contains(known, b.Type) || slices.Contains(shape.attributes, b.Type) {
			continue
		}
		if suggestion := nameSuggestion(b.Type, known); suggestion != "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported block type",
				Detail:   fmt.Sprintf("Blocks of type %q are not expected here. Did you mean %q?", b.Type, suggestion),
				Subject:  b.TypeRange.Ptr(),
			})
			if !typoSeen[b.Type] {
				typoSeen[b.Type] = true
				typos = append(typos, b.Type)
			}
			continue
		}
		placements = append(placements, b)
	}
	return placements, typos, diags
}

// misspelledBlockAttributes finds attributes that are close to the name of a runtime
// block (`lisen = {...}` for `listen { }`). HCL's own message would offer no suggestion
// because it only compares attributes with attributes.
func misspelledBlockAttributes(body *hclsyntax.Body, shape *runtimeShape) ([]string, hcl.Diagnostics) {
	var names []string
	var diags hcl.Diagnostics
	for _, attr := range syntaxAttributesInOrder(body) {
		if slices.Contains(metaAttributes, attr.Name) || slices.Contains(shape.attributes, attr.Name) {
			continue
		}
		suggestion := nameSuggestion(attr.Name, shape.blocks)
		if suggestion == "" {
			continue
		}
		names = append(names, attr.Name)
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported argument",
			Detail:   fmt.Sprintf("An argument named %q is not expected here. Did you mean the block %q? Write it as %s { ... }, without an equals sign.", attr.Name, suggestion, suggestion),
			Subject:  attr.NameRange.Ptr(),
		})
	}
	return names, diags
}

func decodePlacement(block *hcl.Block) (*Placement, hcl.Diagnostics) {
	content, body, diags := block.Body.PartialContent(placementMetaSchema)
	p := &Placement{Type: block.Type, Body: orderedBody{body}, DeclRange: block.DefRange}
	attr, ok := content.Attributes["provider"]
	if !ok {
		return p, diags
	}
	ref, refDiags := decodeProviderRef(attr, p.Type)
	p.ProviderRef = ref
	return p, append(diags, refDiags...)
}

// decodeProviderRef reads `provider = docker.dmz`: a provider type and an optional alias.
func decodeProviderRef(attr *hcl.Attribute, placementType string) (*ProviderRef, hcl.Diagnostics) {
	invalid := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid provider reference",
		Detail:   fmt.Sprintf("provider names a provider configuration without quotes: its type and alias, for example provider = %s.<alias>.", placementType),
		Subject:  attr.Expr.Range().Ptr(),
	}}
	traversal, diags := hcl.AbsTraversalForExpr(attr.Expr)
	if diags.HasErrors() || len(traversal) > 2 {
		return nil, invalid
	}
	ref := &ProviderRef{Type: traversal.RootName(), Range: traversal.SourceRange()}
	if len(traversal) == 2 {
		alias, ok := traversal[1].(hcl.TraverseAttr)
		if !ok {
			return nil, invalid
		}
		ref.Alias = alias.Name
	}
	if ref.Type != placementType {
		return ref, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Provider type mismatch",
			Detail:   fmt.Sprintf("A %s placement runs on a %s provider, but %s is a %s provider. Name a %s provider configuration, such as %s.<alias>.", placementType, placementType, strings.TrimPrefix(ref.Addr(), "provider."), ref.Type, placementType, placementType),
			Subject:  ref.Range.Ptr(),
		}}
	}
	return ref, nil
}

func tooManyPlacements(blocks []*hclsyntax.Block) *hcl.Diagnostic {
	var found []string
	for _, b := range blocks {
		found = append(found, fmt.Sprintf("%s at %s", b.Type, b.TypeRange))
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "An appliance has one placement block",
		Detail:   fmt.Sprintf("Found %s. The placement block says where the appliance runs and is named after a provider, such as local or docker; keep one.", strings.Join(found, ", ")),
		Subject:  blocks[1].TypeRange.Ptr(),
	}
}

func blockTypes(blocks []*hclsyntax.Block) []string {
	var types []string
	for _, b := range blocks {
		if !slices.Contains(types, b.Type) {
			types = append(types, b.Type)
		}
	}
	return types
}
