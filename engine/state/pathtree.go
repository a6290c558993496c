package state

import (
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// pathNode indexes the sensitive paths and seal roots of one value by step, so the value
// decoder can open and mark them as it reaches them, instead of rewriting the JSON before
// decoding and walking the whole decoded value again to mark it afterwards.
//
// A path matches exactly where cty.Value.MarkWithPaths would apply it: attribute steps
// name object attributes, string index steps map keys, number index steps list and tuple
// elements. A path that names nothing in the value marks nothing, as with MarkWithPaths.
type pathNode struct {
	path      cty.Path // from the value's root to here
	sensitive bool     // the value here gets the sensitive mark
	sealed    bool     // the value here is sealed in the document (a seal root)
	opened    bool     // set by the decoder once it opened the sealed value here

	attrs   map[string]*pathNode // by attribute name
	keys    map[string]*pathNode // by map key, normalised as cty normalises strings
	indexes map[int64]*pathNode  // by list or tuple index
	// detached are nodes of paths with a step no value can match (an index that is not
	// a whole number): never reached, kept so a seal root there is reported unopened.
	detached []*pathNode
}

// newPathTree indexes the sensitive paths and seal roots of a value; nil when there are none.
func newPathTree(sensitive, sealed []cty.Path) *pathNode {
	if len(sensitive) == 0 && len(sealed) == 0 {
		return nil
	}
	root := &pathNode{}
	for _, p := range sensitive {
		root.add(p).sensitive = true
	}
	for _, p := range sealed {
		root.add(p).sealed = true
	}
	return root
}

// add returns the node of path p, creating the nodes on the way.
func (n *pathNode) add(p cty.Path) *pathNode {
	node := n
	for i, step := range p {
		here := p[: i+1 : i+1]
		switch s := step.(type) {
		case cty.GetAttrStep:
			node = getOrAdd(&node.attrs, s.Name, here)
			continue
		case cty.IndexStep:
			key := s.Key
			if key.IsKnown() && !key.IsNull() && !key.IsMarked() {
				switch key.Type() {
				case cty.String:
					node = getOrAdd(&node.keys, key.AsString(), here)
					continue
				case cty.Number:
					if i, acc := key.AsBigFloat().Int64(); acc == big.Exact {
						node = getOrAdd(&node.indexes, i, here)
						continue
					}
				}
			}
		}
		detached := &pathNode{path: p}
		n.detached = append(n.detached, detached)
		return detached
	}
	return node
}

func getOrAdd[K comparable](children *map[K]*pathNode, key K, path cty.Path) *pathNode {
	if *children == nil {
		*children = make(map[K]*pathNode)
	}
	child, ok := (*children)[key]
	if !ok {
		child = &pathNode{path: path}
		(*children)[key] = child
	}
	return child
}

// The lookups below accept a nil node (nothing sensitive below), the common case.

func (n *pathNode) attr(name string) *pathNode {
	if n == nil || n.attrs == nil {
		return nil
	}
	return n.attrs[name]
}

func (n *pathNode) index(i int) *pathNode {
	if n == nil || n.indexes == nil {
		return nil
	}
	return n.indexes[int64(i)]
}

// key finds the node of a map element; key is the element's key as the JSON holds it.
func (n *pathNode) key(key string) *pathNode {
	if n == nil || n.keys == nil {
		return nil
	}
	return n.keys[cty.NormalizeString(key)]
}

func (n *pathNode) hasChildren() bool {
	return n != nil && (len(n.attrs) > 0 || len(n.keys) > 0 || len(n.indexes) > 0 || len(n.detached) > 0)
}

// walk calls fn for n and every node below it.
func (n *pathNode) walk(fn func(*pathNode)) {
	if n == nil {
		return
	}
	fn(n)
	for _, c := range n.attrs {
		c.walk(fn)
	}
	for _, c := range n.keys {
		c.walk(fn)
	}
	for _, c := range n.indexes {
		c.walk(fn)
	}
	for _, c := range n.detached {
		c.walk(fn)
	}
}

// marksBelow returns the sensitive paths strictly below n, relative to n, for
// MarkWithPaths on the value at n.
func (n *pathNode) marksBelow() []cty.PathValueMarks {
	var pvm []cty.PathValueMarks
	n.walk(func(c *pathNode) {
		if c != n && c.sensitive {
			pvm = append(pvm, cty.PathValueMarks{Path: c.path[len(n.path):], Marks: sensitiveMarks()})
		}
	})
	return pvm
}

// sealedBelow returns a seal root strictly below n, or nil.
func (n *pathNode) sealedBelow() *pathNode {
	var found *pathNode
	n.walk(func(c *pathNode) {
		if c != n && c.sealed && found == nil {
			found = c
		}
	})
	return found
}

// unopened returns a seal root the decoder never reached, or nil. Its value is missing
// from the document, which is as wrong as a value that does not open.
func (n *pathNode) unopened() *pathNode {
	var found *pathNode
	n.walk(func(c *pathNode) {
		if c.sealed && !c.opened && found == nil {
			found = c
		}
	})
	return found
}
