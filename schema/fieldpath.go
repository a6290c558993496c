package schema

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// A field path names a setting in a runtime configuration the way the runtime config
// packages write it in their errors: site["shop"].policy.mode, server_pool["app"].member[0],
// listen.http.

// pathStep is one step of a field path: a name, optionally followed by a block label or a
// position among blocks (or list elements) of that name.
type pathStep struct {
	name     string
	label    string // from ["label"]
	position int    // from [2]; -1 when absent
}

// splitFieldError splits "path: message" into its parsed path and message. ok is false
// when msg does not start with a well-formed path followed by ": ".
func splitFieldError(msg string) (steps []pathStep, message string, ok bool) {
	rest := msg
	for {
		name := identifierPrefix(rest)
		if name == "" {
			return nil, "", false
		}
		step := pathStep{name: name, position: -1}
		rest = rest[len(name):]
		if strings.HasPrefix(rest, "[") {
			var indexOK bool
			step, rest, indexOK = parseIndex(step, rest)
			if !indexOK {
				return nil, "", false
			}
		}
		steps = append(steps, step)
		switch {
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
		case strings.HasPrefix(rest, ": "):
			return steps, rest[2:], true
		default:
			return nil, "", false
		}
	}
}

// parseIndex reads `["label"]` or `[2]` at the start of s into step.
func parseIndex(step pathStep, s string) (pathStep, string, bool) {
	inner := s[1:]
	if strings.HasPrefix(inner, `"`) {
		quoted, err := strconv.QuotedPrefix(inner)
		if err != nil {
			return step, s, false
		}
		label, err := strconv.Unquote(quoted)
		if err != nil {
			return step, s, false
		}
		step.label = label
		inner = inner[len(quoted):]
	} else {
		end := strings.IndexByte(inner, ']')
		if end < 0 {
			return step, s, false
		}
		n, err := strconv.Atoi(inner[:end])
		if err != nil || n < 0 {
			return step, s, false
		}
		step.position = n
		inner = inner[end:]
	}
	if !strings.HasPrefix(inner, "]") {
		return step, s, false
	}
	return step, inner[1:], true
}

func identifierPrefix(s string) string {
	end := 0
	for end < len(s) {
		c := s[end]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (end == 0 || !(c >= '0' && c <= '9' || c == '-')) {
			break
		}
		end++
	}
	return s[:end]
}

// locateFieldPath finds the source range a field path points at in an appliance body:
// the value of the attribute it names, or else the header of the deepest block it names,
// or else fallback.
func locateFieldPath(body *hclsyntax.Body, steps []pathStep, fallback hcl.Range) hcl.Range {
	subject := fallback
	for _, step := range steps {
		if body == nil {
			return subject
		}
		if attr, ok := body.Attributes[step.name]; ok {
			return elementRange(attr.Expr, step.position)
		}
		block := findBlock(body, step)
		if block == nil {
			return subject
		}
		subject = block.DefRange()
		body = block.Body
	}
	return subject
}

// findBlock returns the block of the step's type with the step's label or position, or
// the first of that type when the step has neither.
func findBlock(body *hclsyntax.Body, step pathStep) *hclsyntax.Block {
	n := 0
	for _, b := range body.Blocks {
		if b.Type != step.name {
			continue
		}
		switch {
		case step.label != "":
			if len(b.Labels) > 0 && b.Labels[0] == step.label {
				return b
			}
		case step.position >= 0:
			if n == step.position {
				return b
			}
		default:
			return b
		}
		n++
	}
	return nil
}

// elementRange narrows a list literal to its element at position, when it is one.
func elementRange(expr hclsyntax.Expression, position int) hcl.Range {
	if tuple, ok := expr.(*hclsyntax.TupleConsExpr); ok && position >= 0 && position < len(tuple.Exprs) {
		return tuple.Exprs[position].Range()
	}
	return expr.Range()
}
