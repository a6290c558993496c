package protocol

import (
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// EncodePath converts a cty.Path to its wire form. Index steps must have a string key
// (maps, objects) or a whole-number key (lists, tuples); set elements cannot be addressed.
func EncodePath(p cty.Path) (*AttributePath, error) {
	steps := make([]*AttributePath_Step, 0, len(p))
	for i, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			steps = append(steps, &AttributePath_Step{Selector: &AttributePath_Step_AttributeName{AttributeName: s.Name}})
		case cty.IndexStep:
			wire, err := encodeIndexStep(s)
			if err != nil {
				return nil, fmt.Errorf("path step %d of %s: %w", i, FormatPath(p), err)
			}
			steps = append(steps, wire)
		default:
			return nil, fmt.Errorf("path step %d of %s: unsupported step type %T", i, FormatPath(p), step)
		}
	}
	return &AttributePath{Steps: steps}, nil
}

func encodeIndexStep(s cty.IndexStep) (*AttributePath_Step, error) {
	key := s.Key
	if !key.IsKnown() || key.IsNull() {
		return nil, fmt.Errorf("index key must be known and not null")
	}
	switch key.Type() {
	case cty.String:
		return &AttributePath_Step{Selector: &AttributePath_Step_ElementKeyString{ElementKeyString: key.AsString()}}, nil
	case cty.Number:
		n, accuracy := key.AsBigFloat().Int64()
		if accuracy != big.Exact {
			return nil, fmt.Errorf("index key %s is not a whole number", key.AsBigFloat().Text('f', -1))
		}
		return &AttributePath_Step{Selector: &AttributePath_Step_ElementKeyInt{ElementKeyInt: n}}, nil
	default:
		return nil, fmt.Errorf("index key of type %s cannot be sent; only string and number keys can", key.Type().FriendlyName())
	}
}

// DecodePath converts a wire path back to a cty.Path. A nil path decodes to an empty one.
func DecodePath(w *AttributePath) (cty.Path, error) {
	if w == nil || len(w.Steps) == 0 {
		return nil, nil
	}
	p := make(cty.Path, 0, len(w.Steps))
	for i, step := range w.Steps {
		switch s := step.GetSelector().(type) {
		case *AttributePath_Step_AttributeName:
			p = append(p, cty.GetAttrStep{Name: s.AttributeName})
		case *AttributePath_Step_ElementKeyString:
			p = append(p, cty.IndexStep{Key: cty.StringVal(s.ElementKeyString)})
		case *AttributePath_Step_ElementKeyInt:
			p = append(p, cty.IndexStep{Key: cty.NumberIntVal(s.ElementKeyInt)})
		default:
			return nil, fmt.Errorf("path step %d: empty or unknown step", i)
		}
	}
	return p, nil
}

// EncodePaths converts a list of paths, as used for RequiresReplace.
func EncodePaths(paths []cty.Path) ([]*AttributePath, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	out := make([]*AttributePath, len(paths))
	for i, p := range paths {
		w, err := EncodePath(p)
		if err != nil {
			return nil, err
		}
		out[i] = w
	}
	return out, nil
}

// DecodePaths is the inverse of EncodePaths.
func DecodePaths(ws []*AttributePath) ([]cty.Path, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	out := make([]cty.Path, len(ws))
	for i, w := range ws {
		p, err := DecodePath(w)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
