package schema

import (
	"sort"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// nameSuggestion returns the candidate closest to given when it is near enough to be a
// likely typo, or "". It matches the threshold HCL uses for its own "Did you mean"
// suggestions, so both kinds of message behave alike.
func nameSuggestion(given string, candidates []string) string {
	best, bestDistance := "", 3
	for _, candidate := range candidates {
		if d := levenshtein.Distance(given, candidate, nil); d < bestDistance {
			best, bestDistance = candidate, d
		}
	}
	return best
}

// syntaxAttributesInOrder lists a body's attributes in the order they are written.
func syntaxAttributesInOrder(body *hclsyntax.Body) []*hclsyntax.Attribute {
	attrs := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
	return attrs
}
