package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The functions here edit the JSON form of a cty value (as ctyjson writes it) so single
// nested values can be swapped for their sealed form and back, without a second JSON
// dialect for values.

// parseTree decodes JSON keeping numbers exact (json.Number), as cty numbers are
// arbitrary precision.
func parseTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return tree, nil
}

// replaceAt walks node, the JSON form of a value of type ty, along path and replaces the
// node found there with the result of fn.
func replaceAt(node any, ty cty.Type, path cty.Path, fn func(any) (any, error)) (any, error) {
	if len(path) == 0 {
		return fn(node)
	}
	if ty == cty.DynamicPseudoType {
		return replaceInDynamic(node, path, fn)
	}
	switch step := path[0].(type) {
	case cty.GetAttrStep:
		obj, ok := node.(map[string]any)
		if !ok || !ty.IsObjectType() || !ty.HasAttribute(step.Name) {
			return nil, fmt.Errorf("no attribute %q here", step.Name)
		}
		child, err := replaceAt(obj[step.Name], ty.AttributeType(step.Name), path[1:], fn)
		if err != nil {
			return nil, err
		}
		obj[step.Name] = child
		return obj, nil
	case cty.IndexStep:
		return replaceAtIndex(node, ty, step.Key, path[1:], fn)
	}
	return nil, fmt.Errorf("unsupported path step %T", path[0])
}

func replaceAtIndex(node any, ty cty.Type, key cty.Value, rest cty.Path, fn func(any) (any, error)) (any, error) {
	switch {
	case ty.IsMapType() && key.Type() == cty.String:
		obj, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("expected a map")
		}
		k := key.AsString()
		child, err := replaceAt(obj[k], ty.ElementType(), rest, fn)
		if err != nil {
			return nil, err
		}
		obj[k] = child
		return obj, nil
	case (ty.IsListType() || ty.IsTupleType()) && key.Type() == cty.Number:
		arr, ok := node.([]any)
		i, acc := key.AsBigFloat().Int64()
		if !ok || acc != big.Exact || i < 0 || i >= int64(len(arr)) {
			return nil, fmt.Errorf("no element %s here", key.AsBigFloat().Text('f', -1))
		}
		var elemType cty.Type
		if ty.IsListType() {
			elemType = ty.ElementType()
		} else {
			elemType = ty.TupleElementType(int(i))
		}
		child, err := replaceAt(arr[i], elemType, rest, fn)
		if err != nil {
			return nil, err
		}
		arr[i] = child
		return arr, nil
	}
	return nil, fmt.Errorf("cannot index a %s", ty.FriendlyName())
}

// replaceInDynamic handles a value declared with the dynamic type, which ctyjson writes
// as {"value": ..., "type": ...}.
func replaceInDynamic(node any, path cty.Path, fn func(any) (any, error)) (any, error) {
	wrapper, ok := node.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a dynamic value")
	}
	rawType, err := json.Marshal(wrapper["type"])
	if err != nil {
		return nil, err
	}
	ty, err := ctyjson.UnmarshalType(rawType)
	if err != nil {
		return nil, fmt.Errorf("dynamic value type: %w", err)
	}
	value, err := replaceAt(wrapper["value"], ty, path, fn)
	if err != nil {
		return nil, err
	}
	wrapper["value"] = value
	return wrapper, nil
}
