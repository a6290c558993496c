package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// The state document is json.MarshalIndent(document, "", "  ") (toDocument builds the
// document): other tools read that format, byte for byte. Encode writes exactly those bytes
// without re-rendering the whole document on each of an apply's writes: the elements of
// the "instances" array are rendered one by one, each as MarshalIndent renders it at its
// depth, and unchanged ones come from instanceElements; the rest of the document, small,
// is rendered with MarshalIndent around them.

// indent is the indentation of one level of the document.
const indent = "  "

// elementPrefix is the indentation of the elements of the top-level "instances" array.
const elementPrefix = indent + indent

// instancesNull is how MarshalIndent renders the instances of a document whose Instances
// is nil. It appears exactly once: a raw newline followed by one indent and a quote starts
// a member of the top-level object (JSON strings hold no raw newline, and deeper members
// are indented further), and the top-level object has one member named "instances".
var instancesNull = []byte("\n" + indent + `"instances": null`)

// Encode returns the JSON document of s. Every sensitive value is sealed with key; when s
// holds sensitive values and key is nil, Encode fails rather than write them in clear.
func (s *State) Encode(key *Key) ([]byte, error) {
	return s.appendEncoded(nil, key)
}

// appendEncoded appends the document of s to dst, so a writer can reuse one buffer for
// all the writes of an apply instead of allocating (and collecting) megabytes each time.
func (s *State) appendEncoded(dst []byte, key *Key) ([]byte, error) {
	data, err := s.encode(dst, &encrypter{key: key})
	if errors.Is(err, ErrNoKey) {
		return nil, ErrNoKey // where the first secret sits does not help the user
	}
	return data, err
}

func (s *State) encode(dst []byte, sealer *encrypter) ([]byte, error) {
	elements, err := s.renderInstances(sealer)
	if err != nil {
		return nil, err
	}
	head := &document{
		FormatVersion:  FormatVersion,
		RampartVersion: s.RampartVersion,
		Lineage:        s.Lineage,
		Serial:         s.Serial,
		Outputs:        make(map[string]outputDoc, len(s.Outputs)),
	}
	if err := s.encodeOutputs(head, sealer.seal); err != nil {
		return nil, err
	}
	head.Encryption = sealer.header // after the instances and outputs: set if any was sealed
	return assembleDocument(dst, head, elements)
}

// renderInstances returns the element of each instance, reusing the cached element of
// every instance unchanged since it was rendered.
func (s *State) renderInstances(sealer *encrypter) ([][]byte, error) {
	elements := make([][]byte, len(s.Instances))
	current := make(map[string]bool, len(s.Instances))
	defer instanceElements.retain(current)
	for i, inst := range s.Instances {
		current[inst.Address] = true
		element, cached, err := instanceElements.get(inst, sealer)
		if err != nil {
			return nil, err
		}
		if !cached {
			if element, err = renderInstance(inst, sealer); err != nil {
				return nil, err
			}
		}
		elements[i] = element
	}
	return elements, nil
}

// renderInstance encodes inst as an element of the instances array and caches it.
func renderInstance(inst *Instance, sealer *encrypter) ([]byte, error) {
	id, err := encodeInstance(inst, sealer.seal)
	if err != nil {
		return nil, err
	}
	element, err := json.MarshalIndent(id, elementPrefix, indent)
	if err != nil {
		return nil, fmt.Errorf("instance %s: %w", inst.Address, err)
	}
	instanceElements.put(inst, element, len(id.SensitivePaths) > 0, sealer)
	return element, nil
}

// assembleDocument appends to dst head, whose Instances are left out, rendered with
// elements as its instances array, the way MarshalIndent renders the whole document.
func assembleDocument(dst []byte, head *document, elements [][]byte) ([]byte, error) {
	head.Instances = nil
	data, err := json.MarshalIndent(head, "", indent)
	if err != nil {
		return nil, err
	}
	at := bytes.Index(data, instancesNull)
	if at < 0 || bytes.LastIndex(data, instancesNull) != at {
		return nil, errors.New("state document: no single place for the instances (a bug in rampart)")
	}
	valueAt := at + len(instancesNull) - len("null")
	rest := data[at+len(instancesNull):]

	size := valueAt + len(rest) + len("[\n"+elementPrefix+"\n"+indent+"]")
	for _, e := range elements {
		size += len(e) + len(",\n"+elementPrefix)
	}
	out := slices.Grow(dst, size)
	out = append(out, data[:valueAt]...)
	out = appendInstancesArray(out, elements)
	return append(out, rest...), nil
}

// appendInstancesArray appends the array of elements with MarshalIndent's separators for
// an array that is a member of the top-level object.
func appendInstancesArray(out []byte, elements [][]byte) []byte {
	if len(elements) == 0 {
		return append(out, "[]"...)
	}
	out = append(out, "[\n"+elementPrefix...)
	for i, e := range elements {
		if i > 0 {
			out = append(out, ",\n"+elementPrefix...)
		}
		out = append(out, e...)
	}
	return append(out, "\n"+indent+"]"...)
}
