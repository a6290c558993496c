package plugin

import (
	"encoding/json"
	"fmt"

	"github.com/rampart-sec/rampart/providers/protocol"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The JSON shape of a cached schema. It mirrors protocol.ProviderSchema; types are stored
// with cty's own JSON type notation, e.g. ["map","string"].

type schemaCacheDoc struct {
	Format     int                     `json:"format"`
	Provider   *blockDoc               `json:"provider,omitempty"`
	Placements map[string]placementDoc `json:"placements"`
}

type placementDoc struct {
	Block   *blockDoc `json:"block,omitempty"`
	Kinds   []string  `json:"kinds,omitempty"`
	Version int64     `json:"version,omitempty"`
}

type blockDoc struct {
	Description string                    `json:"description,omitempty"`
	Attributes  map[string]attributeDoc   `json:"attributes,omitempty"`
	BlockTypes  map[string]nestedBlockDoc `json:"block_types,omitempty"`
}

type attributeDoc struct {
	Type        json.RawMessage `json:"type"`
	Description string          `json:"description,omitempty"`
	Required    bool            `json:"required,omitempty"`
	Optional    bool            `json:"optional,omitempty"`
	Computed    bool            `json:"computed,omitempty"`
	Sensitive   bool            `json:"sensitive,omitempty"`
}

type nestedBlockDoc struct {
	Block    blockDoc `json:"block"`
	Nesting  string   `json:"nesting"`
	MinItems int      `json:"min_items,omitempty"`
	MaxItems int      `json:"max_items,omitempty"`
}

var nestingNames = map[protocol.NestingMode]string{
	protocol.NestingSingle: "single",
	protocol.NestingList:   "list",
}

func encodeBlock(s *protocol.Schema) (*blockDoc, error) {
	if s == nil {
		return nil, nil
	}
	doc := &blockDoc{Description: s.Description}
	if len(s.Attributes) > 0 {
		doc.Attributes = make(map[string]attributeDoc, len(s.Attributes))
	}
	for name, a := range s.Attributes {
		if a == nil {
			continue
		}
		typ, err := ctyjson.MarshalType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		doc.Attributes[name] = attributeDoc{
			Type: typ, Description: a.Description,
			Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive,
		}
	}
	if len(s.BlockTypes) > 0 {
		doc.BlockTypes = make(map[string]nestedBlockDoc, len(s.BlockTypes))
	}
	for name, nb := range s.BlockTypes {
		if nb == nil {
			continue
		}
		nesting, ok := nestingNames[nb.Nesting]
		if !ok {
			return nil, fmt.Errorf("block %q: unknown nesting mode %d", name, nb.Nesting)
		}
		inner, err := encodeBlock(&nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %q: %w", name, err)
		}
		doc.BlockTypes[name] = nestedBlockDoc{Block: *inner, Nesting: nesting, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
	}
	return doc, nil
}

func decodeBlock(doc *blockDoc) (*protocol.Schema, error) {
	if doc == nil {
		return nil, nil
	}
	s := &protocol.Schema{Description: doc.Description}
	if len(doc.Attributes) > 0 {
		s.Attributes = make(map[string]*protocol.Attribute, len(doc.Attributes))
	}
	for name, a := range doc.Attributes {
		typ, err := ctyjson.UnmarshalType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		s.Attributes[name] = &protocol.Attribute{
			Type: typ, Description: a.Description,
			Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive,
		}
	}
	if len(doc.BlockTypes) > 0 {
		s.BlockTypes = make(map[string]*protocol.NestedBlock, len(doc.BlockTypes))
	}
	for name, nb := range doc.BlockTypes {
		nesting, err := parseNesting(nb.Nesting)
		if err != nil {
			return nil, fmt.Errorf("block %q: %w", name, err)
		}
		inner, err := decodeBlock(&nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %q: %w", name, err)
		}
		s.BlockTypes[name] = &protocol.NestedBlock{Block: *inner, Nesting: nesting, MinItems: nb.MinItems, MaxItems: nb.MaxItems}
	}
	return s, nil
}

func parseNesting(name string) (protocol.NestingMode, error) {
	for mode, n := range nestingNames {
		if n == name {
			return mode, nil
		}
	}
	return 0, fmt.Errorf("unknown nesting mode %q", name)
}
