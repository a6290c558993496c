package schema

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// orderedBody wraps a body the engine decodes with a schema built from a Go map (hcldec
// object specs, provider schemas). Map order is random, and HCL suggests the first close
// name in schema order ("Did you mean ..."), so the same typo could get a different
// suggestion on each run. Sorting the schema by name makes the messages stable.
type orderedBody struct{ hcl.Body }

func (b orderedBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	content, diags := b.Body.Content(sortedSchema(schema))
	return orderedBlocks(content), diags
}

func (b orderedBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	content, rest, diags := b.Body.PartialContent(sortedSchema(schema))
	return orderedBlocks(content), orderedBody{rest}, diags
}

func sortedSchema(schema *hcl.BodySchema) *hcl.BodySchema {
	if schema == nil {
		return nil
	}
	sorted := &hcl.BodySchema{
		Attributes: append([]hcl.AttributeSchema(nil), schema.Attributes...),
		Blocks:     append([]hcl.BlockHeaderSchema(nil), schema.Blocks...),
	}
	sort.SliceStable(sorted.Attributes, func(i, j int) bool { return sorted.Attributes[i].Name < sorted.Attributes[j].Name })
	sort.SliceStable(sorted.Blocks, func(i, j int) bool { return sorted.Blocks[i].Type < sorted.Blocks[j].Type })
	return sorted
}

// orderedBlocks wraps the bodies of nested blocks too, so their decoding is stable as well.
func orderedBlocks(content *hcl.BodyContent) *hcl.BodyContent {
	if content == nil {
		return nil
	}
	for i, block := range content.Blocks {
		wrapped := *block
		wrapped.Body = orderedBody{block.Body}
		content.Blocks[i] = &wrapped
	}
	return content
}
