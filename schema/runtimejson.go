package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// runtimeJSON encodes a wholly known, unmarked value as the plain JSON a runtime loads.
// It gives the same document as ctyjson.Marshal for the types runtime configs use, but
// writes whole numbers with strconv: ctyjson formats every number through big.Float's
// shortest-decimal search, which was most of the cost of validating an appliance.
func runtimeJSON(v cty.Value) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, v cty.Value) error {
	if v.IsNull() {
		buf.WriteString("null")
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		s, err := json.Marshal(v.AsString())
		if err != nil {
			return err
		}
		buf.Write(s)
	case ty == cty.Bool:
		buf.WriteString(strconv.FormatBool(v.True()))
	case ty == cty.Number:
		f := v.AsBigFloat()
		if i, accuracy := f.Int64(); accuracy == 0 && f.IsInt() {
			buf.WriteString(strconv.FormatInt(i, 10))
		} else {
			buf.WriteString(f.Text('f', -1))
		}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		buf.WriteByte('[')
		for i, it := 0, v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			_, elem := it.Element()
			if err := writeJSON(buf, elem); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case ty.IsMapType() || ty.IsObjectType():
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			name, err := json.Marshal(k)
			if err != nil {
				return err
			}
			buf.Write(name)
			buf.WriteByte(':')
			if err := writeJSON(buf, m[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("a %s value cannot be written as JSON", ty.FriendlyName())
	}
	return nil
}
