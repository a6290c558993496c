package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/rampart-sec/rampart/internal/parallel"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rampart-sec/rampart/plans"
)

// RedactedJSON returns the state document with every sensitive value replaced by null
// (its path still listed in sensitive_paths), for `rampart show -json`. It cannot be read
// back as a state.
func (s *State) RedactedJSON() ([]byte, error) {
	doc, err := s.toDocument(func(any, string) (any, error) { return nil, nil })
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Decode parses a state document, opening sealed values with key.
func Decode(data []byte, key *Key) (*State, error) {
	doc, hasVersion, ok := scanDocument(data)
	if !ok {
		var err error
		if doc, err = unmarshalDocument(data); err != nil {
			return nil, err
		}
	} else if err := checkFormatVersion(hasVersion, doc.FormatVersion); err != nil {
		return nil, err
	}
	opener := &decrypter{key: key, header: doc.Encryption}
	return fromDocument(doc, opener.open)
}

// unmarshalDocument reads a document with encoding/json: the definition of the format,
// used for every document not in the shape scanDocument reads.
func unmarshalDocument(data []byte) (*document, error) {
	var header struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &header); err != nil {
		return nil, fmt.Errorf("not a rampart state document: %w", err)
	}
	version := 0
	if header.FormatVersion != nil {
		version = *header.FormatVersion
	}
	if err := checkFormatVersion(header.FormatVersion != nil, version); err != nil {
		return nil, err
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("state document: %w", err)
	}
	return &doc, nil
}

// checkFormatVersion says whether this rampart reads a document of the given version.
func checkFormatVersion(present bool, version int) error {
	if !present {
		return errors.New("not a rampart state document: it has no format_version")
	}
	if version != FormatVersion {
		if version > FormatVersion {
			return fmt.Errorf("state format version %d is newer than this rampart reads (version %d): upgrade rampart", version, FormatVersion)
		}
		return fmt.Errorf("state format version %d is not supported by this rampart (it reads version %d)", version, FormatVersion)
	}
	return nil
}

// sealFunc returns what the document holds in place of a sensitive value whose JSON
// form is plain; location names the value and is bound to the ciphertext.
type sealFunc func(plain any, location string) (any, error)

// openFunc is the inverse of sealFunc: it returns the JSON of the value sealed in node,
// the JSON of what stands in the document for the value.
type openFunc func(node []byte, location string) ([]byte, error)

// toDocument returns the document form of s, every instance encoded afresh. Encode writes
// the same bytes as json.MarshalIndent of it (its tests check that) without rendering
// unchanged instances again.
func (s *State) toDocument(sealer sealFunc) (*document, error) {
	doc := &document{
		FormatVersion:  FormatVersion,
		RampartVersion: s.RampartVersion,
		Lineage:        s.Lineage,
		Serial:         s.Serial,
		Instances:      make([]instanceDoc, 0, len(s.Instances)),
		Outputs:        make(map[string]outputDoc, len(s.Outputs)),
	}
	for _, inst := range s.Instances {
		id, err := encodeInstance(inst, sealer)
		if err != nil {
			return nil, err
		}
		doc.Instances = append(doc.Instances, id)
	}
	if err := s.encodeOutputs(doc, sealer); err != nil {
		return nil, err
	}
	return doc, nil
}

// encodeInstance returns the document form of one instance.
func encodeInstance(inst *Instance, sealer sealFunc) (instanceDoc, error) {
	vd, err := encodeValue(inst.Value, false, "instance "+inst.Address, sealer)
	if err != nil {
		return instanceDoc{}, fmt.Errorf("instance %s: %w", inst.Address, err)
	}
	return instanceDoc{
		Address:             inst.Address,
		Kind:                inst.Kind,
		Provider:            inst.Provider,
		Placement:           inst.Placement,
		SchemaVersion:       inst.SchemaVersion,
		valueDoc:            vd,
		Private:             inst.Private,
		Dependencies:        inst.Dependencies,
		CreateBeforeDestroy: inst.CreateBeforeDestroy,
	}, nil
}

// encodeOutputs fills doc.Outputs.
func (s *State) encodeOutputs(doc *document, sealer sealFunc) error {
	for name, out := range s.Outputs {
		vd, err := encodeValue(out.Value, out.Sensitive, "output "+name, sealer)
		if err != nil {
			return fmt.Errorf("output %s: %w", name, err)
		}
		doc.Outputs[name] = outputDoc{valueDoc: vd, Sensitive: out.Sensitive}
	}
	return nil
}

func fromDocument(doc *document, opener openFunc) (*State, error) {
	s := &State{
		FormatVersion:  doc.FormatVersion,
		RampartVersion: doc.RampartVersion,
		Lineage:        doc.Lineage,
		Serial:         doc.Serial,
		Outputs:        make(map[string]*Output, len(doc.Outputs)),
	}
	// Instances of one kind and placement share a type; parsing it once per document
	// is a quarter of the decoding time saved. The types are parsed first, so the
	// values can then be decoded in parallel (most of a large plan's start-up).
	types := map[string]cty.Type{}
	for _, id := range doc.Instances {
		if _, err := typeOf(id.valueDoc, types); err != nil {
			return nil, fmt.Errorf("instance %s: %w", id.Address, err)
		}
	}
	values, err := decodeInstanceValues(doc.Instances, opener, types)
	if err != nil {
		return nil, err
	}
	for i, id := range doc.Instances {
		v := values[i]
		s.Instances = append(s.Instances, &Instance{
			Address:             id.Address,
			Kind:                id.Kind,
			Provider:            id.Provider,
			Placement:           id.Placement,
			SchemaVersion:       id.SchemaVersion,
			Value:               v,
			Private:             id.Private,
			Dependencies:        id.Dependencies,
			CreateBeforeDestroy: id.CreateBeforeDestroy,
		})
	}
	sort.Slice(s.Instances, func(i, j int) bool { return s.Instances[i].Address < s.Instances[j].Address })
	for name, od := range doc.Outputs {
		if _, err := typeOf(od.valueDoc, types); err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		v, err := decodeValue(od.valueDoc, od.Sensitive, "output "+name, opener, types)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		s.Outputs[name] = &Output{Value: v, Sensitive: od.Sensitive}
	}
	return s, nil
}

// encodeValue writes v with its sensitive parts sealed. With whole set (a sensitive
// output) the entire value is sealed even where it carries no mark.
func encodeValue(v cty.Value, whole bool, location string, sealer sealFunc) (valueDoc, error) {
	if v == cty.NilVal {
		v = cty.NullVal(cty.DynamicPseudoType)
	}
	unmarked, paths := sensitivePaths(v)
	if !unmarked.IsWhollyKnown() {
		return valueDoc{}, errors.New("value is not fully known; state only stores applied values")
	}
	ty := unmarked.Type()
	typeJSON, err := ty.MarshalJSON()
	if err != nil {
		return valueDoc{}, fmt.Errorf("type: %w", err)
	}
	valueJSON, err := ctyjson.Marshal(unmarked, ty)
	if err != nil {
		return valueDoc{}, fmt.Errorf("value: %w", err)
	}
	if roots := sealRoots(paths, whole); len(roots) > 0 {
		valueJSON, err = rewriteAt(valueJSON, ty, roots, func(node any, root cty.Path) (any, error) {
			return sealer(node, valueLocation(location, root))
		})
		if err != nil {
			return valueDoc{}, err
		}
	}
	vd := valueDoc{Type: typeJSON, Value: valueJSON}
	for _, p := range paths {
		vd.SensitivePaths = append(vd.SensitivePaths, plans.PathToJSON(p))
	}
	return vd, nil
}

// decodeInstanceValues decodes the instances' values on all CPUs. types must already
// hold every instance's type: the workers only read it.
func decodeInstanceValues(docs []instanceDoc, opener openFunc, types map[string]cty.Type) ([]cty.Value, error) {
	values := make([]cty.Value, len(docs))
	err := parallel.ForEach(len(docs), func(i int) error {
		var err error
		values[i], err = decodeValue(docs[i].valueDoc, false, "instance "+docs[i].Address, opener, types)
		if err != nil {
			return fmt.Errorf("instance %s: %w", docs[i].Address, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return values, nil
}

// typeOf parses a value's type, once per distinct type in types.
func typeOf(vd valueDoc, types map[string]cty.Type) (cty.Type, error) {
	if ty, ok := types[string(vd.Type)]; ok {
		return ty, nil
	}
	ty, err := ctyjson.UnmarshalType(vd.Type)
	if err != nil {
		return cty.NilType, fmt.Errorf("type: %w", err)
	}
	types[string(vd.Type)] = ty
	return ty, nil
}

// decodeValue decodes one value whose type types already holds (see typeOf), opening
// its sealed parts and marking its sensitive paths as it goes.
func decodeValue(vd valueDoc, whole bool, location string, opener openFunc, types map[string]cty.Type) (cty.Value, error) {
	ty, ok := types[string(vd.Type)]
	if !ok {
		return cty.NilVal, fmt.Errorf("type of %s was not parsed first", location)
	}
	paths := make([]cty.Path, 0, len(vd.SensitivePaths))
	for _, steps := range vd.SensitivePaths {
		p, err := plans.PathFromJSON(ty, steps)
		if err != nil {
			return cty.NilVal, fmt.Errorf("sensitive path %v: %w", steps, err)
		}
		paths = append(paths, p)
	}
	tree := newPathTree(paths, sealRoots(paths, whole))
	d := ctyDecoder{
		jsonScanner: jsonScanner{data: vd.Value},
		open: func(sealed []byte, root cty.Path) ([]byte, error) {
			return opener(sealed, valueLocation(location, root))
		},
	}
	v, err := d.value(ty, tree)
	var pathErr cty.PathError
	if errors.As(err, &pathErr) {
		return cty.NilVal, fmt.Errorf("value: %w", err)
	}
	if err != nil {
		return cty.NilVal, err // a sealed value that does not open; the error says where
	}
	if root := tree.unopened(); root != nil {
		return cty.NilVal, fmt.Errorf("sensitive value at %v: expected a sealed value", plans.PathToJSON(root.path))
	}
	return v, nil
}

// rewriteAt replaces the node at each root of the JSON value data with fn's result.
func rewriteAt(data []byte, ty cty.Type, roots []cty.Path, fn func(node any, root cty.Path) (any, error)) ([]byte, error) {
	tree, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	for _, root := range roots {
		tree, err = replaceAt(tree, ty, root, func(node any) (any, error) { return fn(node, root) })
		if err != nil {
			return nil, fmt.Errorf("sensitive value at %v: %w", plans.PathToJSON(root), err)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(tree); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// valueLocation names one sealed value; it is authenticated with the ciphertext so a
// sealed value copied to another place fails to open.
func valueLocation(owner string, root cty.Path) string {
	steps, _ := json.Marshal(plans.PathToJSON(root))
	return owner + " " + string(steps)
}
