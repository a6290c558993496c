package engine

import (
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// InstanceKey distinguishes the instances of an expanded appliance: none, a count index or
// a for_each key.
type InstanceKey struct {
	kind  keyKind
	index int
	key   string
}

type keyKind int

const (
	noKey keyKind = iota
	intKey
	stringKey
)

// NoKey is the key of an appliance without count or for_each.
var NoKey = InstanceKey{}

// IntKey is a count index.
func IntKey(i int) InstanceKey { return InstanceKey{kind: intKey, index: i} }

// StringKey is a for_each key.
func StringKey(s string) InstanceKey { return InstanceKey{kind: stringKey, key: s} }

// String renders the key as an index suffix: "", "[0]" or `["eu"]`.
func (k InstanceKey) String() string {
	switch k.kind {
	case intKey:
		return fmt.Sprintf("[%d]", k.index)
	case stringKey:
		return fmt.Sprintf("[%q]", k.key)
	default:
		return ""
	}
}

// Value is the key as a cty value (count.index or each.key).
func (k InstanceKey) Value() cty.Value {
	switch k.kind {
	case intKey:
		return cty.NumberIntVal(int64(k.index))
	case stringKey:
		return cty.StringVal(k.key)
	default:
		return cty.NilVal
	}
}

// InstanceAddr is the address of one appliance instance: waf.shop, waf.edge["eu"].
type InstanceAddr struct {
	Kind, Name string
	Key        InstanceKey
}

func (a InstanceAddr) String() string { return a.Kind + "." + a.Name + a.Key.String() }

// ApplianceAddr is the address of the (unexpanded) appliance block.
func (a InstanceAddr) ApplianceAddr() string { return a.Kind + "." + a.Name }

// ParseInstanceAddr parses waf.shop, waf.shop[0] or waf.shop["eu"].
func ParseInstanceAddr(s string) (InstanceAddr, error) {
	bad := func() (InstanceAddr, error) {
		return InstanceAddr{}, fmt.Errorf("invalid address %q: expected KIND.NAME, KIND.NAME[INDEX] or KIND.NAME[\"KEY\"], e.g. waf.shop", s)
	}
	kind, rest, ok := strings.Cut(s, ".")
	if !ok || kind == "" {
		return bad()
	}
	name, suffix := rest, ""
	if i := strings.IndexByte(rest, '['); i >= 0 {
		name, suffix = rest[:i], rest[i:]
	}
	if name == "" || strings.ContainsAny(name, ".]\"") {
		return bad()
	}
	addr := InstanceAddr{Kind: kind, Name: name}
	if suffix == "" {
		return addr, nil
	}
	if !strings.HasSuffix(suffix, "]") {
		return bad()
	}
	inner := suffix[1 : len(suffix)-1]
	if strings.HasPrefix(inner, `"`) {
		if len(inner) < 2 || !strings.HasSuffix(inner, `"`) {
			return bad()
		}
		addr.Key = StringKey(inner[1 : len(inner)-1])
		return addr, nil
	}
	var i int
	if _, err := fmt.Sscanf(inner, "%d", &i); err != nil || fmt.Sprint(i) != inner || i < 0 {
		return bad()
	}
	addr.Key = IntKey(i)
	return addr, nil
}
