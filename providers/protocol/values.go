package protocol

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/msgpack"
)

// EncodeValue converts a cty value to its wire form. Unknown values survive (cty msgpack
// has an encoding for them); sensitive marks are lifted off the value and sent as paths,
// because msgpack cannot carry marks. Other marks are engine-internal and are dropped.
// cty.NilVal (an unset value) encodes to nil.
func EncodeValue(v cty.Value) (*DynamicValue, error) {
	if v == cty.NilVal {
		return nil, nil
	}
	// Most values carry no mark at all: checking is a walk without allocations, while
	// UnmarkDeepWithPaths rebuilds the whole value.
	unmarked, pathMarks := v, []cty.PathValueMarks(nil)
	if ContainsMarked(v) {
		unmarked, pathMarks = v.UnmarkDeepWithPaths()
	}
	var sensitive []*AttributePath
	for _, pm := range pathMarks {
		if !pm.Marks.Has(SensitiveMark) {
			continue
		}
		w, err := EncodePath(pm.Path)
		if err != nil {
			return nil, fmt.Errorf("encode sensitive path: %w", err)
		}
		sensitive = append(sensitive, w)
	}
	ty := unmarked.Type()
	typeJSON, err := MarshalType(ty)
	if err != nil {
		return nil, fmt.Errorf("encode type %s: %w", ty.FriendlyName(), err)
	}
	packed, err := msgpack.Marshal(unmarked, ty)
	if err != nil {
		return nil, fmt.Errorf("encode value of type %s: %w", ty.FriendlyName(), err)
	}
	return &DynamicValue{Msgpack: packed, TypeJson: typeJSON, SensitivePaths: sensitive}, nil
}

// DecodeValue is the inverse of EncodeValue: nil decodes to cty.NilVal, and every sensitive
// path is marked with SensitiveMark again.
func DecodeValue(w *DynamicValue) (cty.Value, error) {
	if w == nil {
		return cty.NilVal, nil
	}
	// Values with marks are rare (secrets) and never remembered.
	memo := len(w.SensitivePaths) == 0 && len(w.Msgpack) >= memoMinSize
	if memo {
		if v, ok := decodedValues.get(w.TypeJson, w.Msgpack); ok {
			return v, nil
		}
	}
	ty, err := UnmarshalType(w.TypeJson)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode value type: %w", err)
	}
	v, err := msgpack.Unmarshal(w.Msgpack, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode value of type %s: %w", ty.FriendlyName(), err)
	}
	if len(w.SensitivePaths) == 0 {
		if memo {
			decodedValues.put(w.TypeJson, w.Msgpack, v)
		}
		return v, nil
	}
	marks := make([]cty.PathValueMarks, 0, len(w.SensitivePaths))
	for _, wp := range w.SensitivePaths {
		p, err := DecodePath(wp)
		if err != nil {
			return cty.NilVal, fmt.Errorf("decode sensitive path: %w", err)
		}
		if err := checkPathExists(v, p); err != nil {
			return cty.NilVal, fmt.Errorf("sensitive path %s: %w", FormatPath(p), err)
		}
		marks = append(marks, cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(SensitiveMark)})
	}
	return v.MarkWithPaths(marks), nil
}

// checkPathExists fails when p does not lead to a value inside v. MarkWithPaths silently
// ignores such paths, and a sensitive mark that silently disappears would leak a secret
// into plan output, so a bad path is an error instead.
func checkPathExists(v cty.Value, p cty.Path) error {
	_, err := p.Apply(v)
	return err
}

// EncodeInstanceValue converts an InstanceValue to its wire form; nil stays nil.
func EncodeInstanceValue(iv *InstanceValue) (*WireInstanceValue, error) {
	if iv == nil {
		return nil, nil
	}
	runtime, err := EncodeValue(iv.Runtime)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	placement, err := EncodeValue(iv.Placement)
	if err != nil {
		return nil, fmt.Errorf("placement: %w", err)
	}
	return &WireInstanceValue{Runtime: runtime, Placement: placement}, nil
}

// DecodeInstanceValue is the inverse of EncodeInstanceValue; nil stays nil.
func DecodeInstanceValue(w *WireInstanceValue) (*InstanceValue, error) {
	if w == nil {
		return nil, nil
	}
	runtime, err := DecodeValue(w.Runtime)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	placement, err := DecodeValue(w.Placement)
	if err != nil {
		return nil, fmt.Errorf("placement: %w", err)
	}
	return &InstanceValue{Runtime: runtime, Placement: placement}, nil
}

// decodeInstanceValueOrZero decodes a field that the Go side holds by value: absent on
// the wire becomes the zero InstanceValue.
func decodeInstanceValueOrZero(w *WireInstanceValue) (InstanceValue, error) {
	iv, err := DecodeInstanceValue(w)
	if err != nil || iv == nil {
		return InstanceValue{}, err
	}
	return *iv, nil
}

// sameInstanceValue says whether a and b are exactly the same value, marks included, so
// that one may stand for the other on the wire.
func sameInstanceValue(a, b InstanceValue) bool {
	return rawSame(a.Runtime, b.Runtime) && rawSame(a.Placement, b.Placement)
}

func rawSame(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == cty.NilVal && b == cty.NilVal
	}
	return a.RawEquals(b)
}
