package plans

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// PathToJSON converts a path to the compact form used in rampart's JSON documents (plan
// JSON, plan files, state): attribute names and map keys are strings, list and tuple
// indexes are numbers, e.g. ["runtime", "listen", "http"] or ["runtime", "site", 0, "name"].
// The form is short to read in CI output; PathFromJSON resolves it again against a type.
func PathToJSON(p cty.Path) []any {
	steps := make([]any, 0, len(p))
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			steps = append(steps, s.Name)
		case cty.IndexStep:
			steps = append(steps, indexKeyToJSON(s.Key))
		}
	}
	return steps
}

func indexKeyToJSON(key cty.Value) any {
	key, _ = key.Unmark()
	if !key.IsKnown() || key.IsNull() {
		return nil
	}
	switch key.Type() {
	case cty.String:
		return key.AsString()
	case cty.Number:
		if n, acc := key.AsBigFloat().Int64(); acc == big.Exact {
			return n
		}
		return json.Number(key.AsBigFloat().Text('f', -1))
	}
	return nil
}

// PathFromJSON is the inverse of PathToJSON. The compact form does not say whether a
// string is an attribute name or a map key, so the steps are resolved against ty, the
// type of the value the path starts from. Where ty does not tell (a dynamic value),
// strings become attribute steps and numbers index steps.
func PathFromJSON(ty cty.Type, steps []any) (cty.Path, error) {
	path := make(cty.Path, 0, len(steps))
	for i, raw := range steps {
		step, next, err := stepFromJSON(ty, raw)
		if err != nil {
			return nil, fmt.Errorf("path step %d (%v): %w", i, raw, err)
		}
		path = append(path, step)
		ty = next
	}
	return path, nil
}

// stepFromJSON resolves one compact step against ty and returns the type it leads to.
func stepFromJSON(ty cty.Type, raw any) (cty.PathStep, cty.Type, error) {
	switch key := raw.(type) {
	case string:
		switch {
		case ty.IsObjectType():
			if !ty.HasAttribute(key) {
				return nil, cty.NilType, fmt.Errorf("no attribute %q", key)
			}
			return cty.GetAttrStep{Name: key}, ty.AttributeType(key), nil
		case ty.IsMapType():
			return cty.IndexStep{Key: cty.StringVal(key)}, ty.ElementType(), nil
		case ty == cty.DynamicPseudoType:
			return cty.GetAttrStep{Name: key}, cty.DynamicPseudoType, nil
		}
		return nil, cty.NilType, fmt.Errorf("a %s has no named elements", ty.FriendlyName())
	case float64, int64, int, json.Number:
		n, err := wholeNumber(key)
		if err != nil {
			return nil, cty.NilType, err
		}
		step := cty.IndexStep{Key: cty.NumberIntVal(n)}
		switch {
		case ty.IsListType():
			return step, ty.ElementType(), nil
		case ty.IsTupleType():
			if n < 0 || int(n) >= ty.Length() {
				return nil, cty.NilType, fmt.Errorf("index %d out of range of a tuple of %d", n, ty.Length())
			}
			return step, ty.TupleElementType(int(n)), nil
		case ty == cty.DynamicPseudoType:
			return step, cty.DynamicPseudoType, nil
		}
		return nil, cty.NilType, fmt.Errorf("a %s cannot be indexed by number", ty.FriendlyName())
	}
	return nil, cty.NilType, fmt.Errorf("a step must be a string or a whole number, not %T", raw)
}

func wholeNumber(raw any) (int64, error) {
	switch n := raw.(type) {
	case int64:
		return n, nil
	case int:
		return int64(n), nil
	case float64:
		if n != float64(int64(n)) {
			return 0, fmt.Errorf("index %v is not a whole number", n)
		}
		return int64(n), nil
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return 0, fmt.Errorf("index %s is not a whole number", n)
		}
		return i, nil
	}
	return 0, fmt.Errorf("unexpected index %T", raw)
}
