package protocol

import (
	"fmt"

	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// EncodeProviderSchema converts a ProviderSchema to the GetSchema response fields.
func EncodeProviderSchema(ps *ProviderSchema) (*GetSchema_Response, error) {
	resp := &GetSchema_Response{}
	if ps == nil {
		return resp, nil
	}
	provider, err := EncodeSchema(ps.Provider)
	if err != nil {
		return nil, fmt.Errorf("provider block: %w", err)
	}
	resp.Provider = provider
	if len(ps.Placements) > 0 {
		resp.Placements = make(map[string]*WirePlacementSchema, len(ps.Placements))
	}
	for name, p := range ps.Placements {
		if p == nil {
			continue
		}
		block, err := EncodeSchema(p.Block)
		if err != nil {
			return nil, fmt.Errorf("placement %s: %w", name, err)
		}
		resp.Placements[name] = &WirePlacementSchema{Block: block, Kinds: p.Kinds, Version: p.Version}
	}
	return resp, nil
}

// DecodeProviderSchema is the inverse of EncodeProviderSchema.
func DecodeProviderSchema(resp *GetSchema_Response) (*ProviderSchema, error) {
	provider, err := DecodeSchema(resp.GetProvider())
	if err != nil {
		return nil, fmt.Errorf("provider block: %w", err)
	}
	ps := &ProviderSchema{Provider: provider}
	if len(resp.GetPlacements()) > 0 {
		ps.Placements = make(map[string]*PlacementSchema, len(resp.GetPlacements()))
	}
	for name, w := range resp.GetPlacements() {
		block, err := DecodeSchema(w.GetBlock())
		if err != nil {
			return nil, fmt.Errorf("placement %s: %w", name, err)
		}
		ps.Placements[name] = &PlacementSchema{Block: block, Kinds: w.GetKinds(), Version: w.GetVersion()}
	}
	return ps, nil
}

// EncodeSchema converts a block schema to its wire form; nil stays nil.
func EncodeSchema(s *Schema) (*WireSchema, error) {
	if s == nil {
		return nil, nil
	}
	w := &WireSchema{Description: s.Description}
	if len(s.Attributes) > 0 {
		w.Attributes = make(map[string]*WireAttribute, len(s.Attributes))
	}
	for name, a := range s.Attributes {
		if a == nil {
			return nil, fmt.Errorf("attribute %s: no definition", name)
		}
		typeJSON, err := a.Type.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("attribute %s: encode type: %w", name, err)
		}
		w.Attributes[name] = &WireAttribute{
			TypeJson:    typeJSON,
			Description: a.Description,
			Required:    a.Required,
			Optional:    a.Optional,
			Computed:    a.Computed,
			Sensitive:   a.Sensitive,
		}
	}
	if len(s.BlockTypes) > 0 {
		w.BlockTypes = make(map[string]*WireNestedBlock, len(s.BlockTypes))
	}
	for name, b := range s.BlockTypes {
		if b == nil {
			return nil, fmt.Errorf("block %s: no definition", name)
		}
		block, err := EncodeSchema(&b.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		nb := &WireNestedBlock{Block: block, MinItems: int64(b.MinItems), MaxItems: int64(b.MaxItems)}
		switch b.Nesting {
		case NestingSingle:
			nb.Nesting = WireNestedBlock_SINGLE
		case NestingList:
			nb.Nesting = WireNestedBlock_LIST
		default:
			return nil, fmt.Errorf("block %s: unknown nesting mode %d", name, b.Nesting)
		}
		w.BlockTypes[name] = nb
	}
	return w, nil
}

// DecodeSchema is the inverse of EncodeSchema; nil stays nil.
func DecodeSchema(w *WireSchema) (*Schema, error) {
	if w == nil {
		return nil, nil
	}
	s := &Schema{Description: w.GetDescription()}
	if len(w.GetAttributes()) > 0 {
		s.Attributes = make(map[string]*Attribute, len(w.GetAttributes()))
	}
	for name, a := range w.GetAttributes() {
		ty, err := ctyjson.UnmarshalType(a.GetTypeJson())
		if err != nil {
			return nil, fmt.Errorf("attribute %s: decode type: %w", name, err)
		}
		s.Attributes[name] = &Attribute{
			Type:        ty,
			Description: a.GetDescription(),
			Required:    a.GetRequired(),
			Optional:    a.GetOptional(),
			Computed:    a.GetComputed(),
			Sensitive:   a.GetSensitive(),
		}
	}
	if len(w.GetBlockTypes()) > 0 {
		s.BlockTypes = make(map[string]*NestedBlock, len(w.GetBlockTypes()))
	}
	for name, b := range w.GetBlockTypes() {
		block, err := DecodeSchema(b.GetBlock())
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		nb := &NestedBlock{MinItems: int(b.GetMinItems()), MaxItems: int(b.GetMaxItems())}
		if block != nil {
			nb.Block = *block
		}
		switch b.GetNesting() {
		case WireNestedBlock_SINGLE:
			nb.Nesting = NestingSingle
		case WireNestedBlock_LIST:
			nb.Nesting = NestingList
		default:
			return nil, fmt.Errorf("block %s: unknown nesting mode %d; is the provider newer than rampart?", name, b.GetNesting())
		}
		s.BlockTypes[name] = nb
	}
	return s, nil
}
