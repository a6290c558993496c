package planfile

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"

	"github.com/rampart-sec/rampart/plans"
)

// sensitiveMark is the cty mark of sensitive values. It is protocol.SensitiveMark; plans
// may not import providers, so the string is repeated here.
const sensitiveMark = "sensitive"

// encodeValue writes v without its secrets: every known value marked sensitive (and all
// of v when whole is set) becomes a null of the same type, and the marked paths are
// recorded so the marks come back on Read. Apply evaluates the configuration again for
// the real values.
func encodeValue(v cty.Value, whole bool) (*valueDoc, error) {
	if v == cty.NilVal {
		return nil, nil
	}
	unmarked, pvm := v.UnmarkDeepWithPaths()
	var paths []cty.Path
	for _, pm := range pvm {
		if pm.Marks.Has(sensitiveMark) {
			paths = append(paths, pm.Path)
		}
	}
	if whole {
		paths = append(paths, cty.Path{})
	}
	redacted, err := cty.Transform(unmarked, func(p cty.Path, v cty.Value) (cty.Value, error) {
		if v.IsKnown() && isSensitivePath(paths, p) {
			return cty.NullVal(v.Type()), nil
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	ty := redacted.Type()
	typeJSON, err := ty.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("type: %w", err)
	}
	packed, err := ctymsgpack.Marshal(redacted, ty)
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	vd := &valueDoc{Type: typeJSON, Msgpack: packed}
	for _, p := range pvm {
		if p.Marks.Has(sensitiveMark) {
			vd.SensitivePaths = append(vd.SensitivePaths, plans.PathToJSON(p.Path))
		}
	}
	return vd, nil
}

func isSensitivePath(paths []cty.Path, p cty.Path) bool {
	for _, q := range paths {
		if q.Equals(p) {
			return true
		}
	}
	return false
}

func decodeValue(vd *valueDoc) (cty.Value, error) {
	if vd == nil {
		return cty.NilVal, nil
	}
	ty, err := ctyjson.UnmarshalType(vd.Type)
	if err != nil {
		return cty.NilVal, fmt.Errorf("type: %w", err)
	}
	v, err := ctymsgpack.Unmarshal(vd.Msgpack, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("value: %w", err)
	}
	var pvm []cty.PathValueMarks
	for _, steps := range vd.SensitivePaths {
		p, err := plans.PathFromJSON(ty, steps)
		if err != nil {
			return cty.NilVal, fmt.Errorf("sensitive path %v: %w", steps, err)
		}
		pvm = append(pvm, cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(sensitiveMark)})
	}
	// A path inside a value that was nulled no longer exists; MarkWithPaths skips it,
	// and the null above it carries the mark.
	return v.MarkWithPaths(pvm), nil
}

// valueType is the type paths of a change are resolved against.
func valueType(vals ...cty.Value) cty.Type {
	for _, v := range vals {
		if v != cty.NilVal && !v.IsNull() {
			return v.Type()
		}
	}
	return cty.DynamicPseudoType
}

// pathsFromJSON resolves requires_replace paths; where the type cannot resolve a step
// (the attribute vanished), the dynamic reading is the best remaining guess.
func pathsFromJSON(ty cty.Type, all [][]any) ([]cty.Path, error) {
	var paths []cty.Path
	for _, steps := range all {
		p, err := plans.PathFromJSON(ty, steps)
		if err != nil {
			p, err = plans.PathFromJSON(cty.DynamicPseudoType, steps)
		}
		if err != nil {
			return nil, fmt.Errorf("path %v: %w", steps, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
