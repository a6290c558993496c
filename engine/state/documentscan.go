package state

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// scanDocument reads a state document written in the shape Encode writes, in one pass
// over the bytes; the instances' types and values stay slices of data. encoding/json
// read a 200-instance document twice (once for its version) and validated it before
// each read: two thirds of loading state once the values decode fast.
//
// It returns ok=false for anything else: a key it does not know or spelled in another
// case, a key given twice, a JSON kind the field does not take, a number out of range,
// bytes after the document. Decode then reads the document with encoding/json, whose
// rules decide every such case, so the result never depends on which path read it.
func scanDocument(data []byte) (doc *document, hasVersion bool, ok bool) {
	s := &docScanner{jsonScanner: jsonScanner{data: data}}
	doc = &document{}
	var seen fieldSet
	ok = s.object(func(key string) bool {
		switch key {
		case "format_version":
			hasVersion = true
			return seen.first(0) && s.int(&doc.FormatVersion)
		case "rampart_version":
			return seen.first(1) && s.string(&doc.RampartVersion)
		case "lineage":
			return seen.first(2) && s.string(&doc.Lineage)
		case "serial":
			return seen.first(3) && s.uint64(&doc.Serial)
		case "encryption":
			return seen.first(4) && s.viaJSON(&doc.Encryption)
		case "instances":
			return seen.first(5) && s.instances(&doc.Instances)
		case "outputs":
			return seen.first(6) && s.viaJSON(&doc.Outputs)
		}
		return false
	})
	if !ok || s.skipSpace() != 0 || s.pos != len(data) {
		return nil, false, false
	}
	return doc, hasVersion, true
}

// fieldSet records which keys of one object were read, to send duplicates to
// encoding/json (which merges some kinds of repeated fields).
type fieldSet uint16

func (f *fieldSet) first(i uint) bool {
	if *f&(1<<i) != 0 {
		return false
	}
	*f |= 1 << i
	return true
}

// docScanner reads the fields of a document; each method returns false where the
// document is not in the expected shape.
type docScanner struct {
	jsonScanner
}

// object calls member for each key of the object at the current position, with the
// scanner at the key's value.
func (s *docScanner) object(member func(key string) bool) bool {
	if s.skipSpace() != '{' {
		return false
	}
	s.pos++
	if s.skipSpace() == '}' {
		s.pos++
		return true
	}
	for {
		if s.skipSpace() != '"' {
			return false
		}
		key, err := s.str()
		if err != nil || s.expect(':', "':'") != nil || !member(key) {
			return false
		}
		switch s.skipSpace() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

func (s *docScanner) instances(out *[]instanceDoc) bool {
	list := []instanceDoc{}
	ok := s.array(func() bool {
		var inst instanceDoc
		if !s.instance(&inst) {
			return false
		}
		list = append(list, inst)
		return true
	})
	if ok {
		*out = list
	}
	return ok
}

// array calls elem for each element of the array at the current position, with the
// scanner at the element.
func (s *docScanner) array(elem func() bool) bool {
	if s.skipSpace() != '[' {
		return false
	}
	s.pos++
	if s.skipSpace() == ']' {
		s.pos++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch s.skipSpace() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

func (s *docScanner) instance(inst *instanceDoc) bool {
	var seen fieldSet
	return s.object(func(key string) bool {
		switch key {
		case "address":
			return seen.first(0) && s.string(&inst.Address)
		case "kind":
			return seen.first(1) && s.string(&inst.Kind)
		case "provider":
			return seen.first(2) && s.string(&inst.Provider)
		case "placement":
			return seen.first(3) && s.string(&inst.Placement)
		case "schema_version":
			return seen.first(4) && s.int64(&inst.SchemaVersion)
		case "type":
			return seen.first(5) && s.raw(&inst.Type)
		case "value":
			return seen.first(6) && s.raw(&inst.Value)
		case "sensitive_paths":
			return seen.first(7) && s.viaJSON(&inst.SensitivePaths)
		case "private":
			return seen.first(8) && s.bytes(&inst.Private)
		case "dependencies":
			return seen.first(9) && s.strings(&inst.Dependencies)
		case "create_before_destroy":
			return seen.first(10) && s.bool(&inst.CreateBeforeDestroy)
		}
		return false
	})
}

func (s *docScanner) string(out *string) bool {
	if s.skipSpace() != '"' {
		return false
	}
	v, err := s.str()
	*out = v
	return err == nil
}

func (s *docScanner) strings(out *[]string) bool {
	if s.skipSpace() == 'n' {
		*out = nil
		return s.literal("null") == nil
	}
	list := []string{}
	ok := s.array(func() bool {
		var v string
		if !s.string(&v) {
			return false
		}
		list = append(list, v)
		return true
	})
	if ok {
		*out = list
	}
	return ok
}

// bytes reads base64 as encoding/json does for a []byte.
func (s *docScanner) bytes(out *[]byte) bool {
	if s.skipSpace() == 'n' {
		*out = nil
		return s.literal("null") == nil
	}
	var text string
	if !s.string(&text) {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(text)
	*out = b
	return err == nil
}

func (s *docScanner) bool(out *bool) bool {
	switch s.skipSpace() {
	case 't':
		*out = true
		return s.literal("true") == nil
	case 'f':
		*out = false
		return s.literal("false") == nil
	}
	return false
}

func (s *docScanner) numberText() (string, bool) {
	c := s.skipSpace()
	if c != '-' && !isDigit(c) {
		return "", false
	}
	text, err := s.number()
	return text, err == nil
}

func (s *docScanner) int(out *int) bool {
	var n int64
	if !s.int64(&n) || int64(int(n)) != n {
		return false
	}
	*out = int(n)
	return true
}

func (s *docScanner) int64(out *int64) bool {
	text, ok := s.numberText()
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	*out = n
	return err == nil
}

func (s *docScanner) uint64(out *uint64) bool {
	text, ok := s.numberText()
	if !ok {
		return false
	}
	n, err := strconv.ParseUint(text, 10, 64)
	*out = n
	return err == nil
}

// raw keeps the bytes of the value at the current position (a json.RawMessage).
func (s *docScanner) raw(out *json.RawMessage) bool {
	start, err := s.skipValue()
	*out = s.data[start:s.pos]
	return err == nil
}

// viaJSON reads the value at the current position with encoding/json: the small parts
// of a document (encryption header, outputs, sensitive paths), where speed does not
// matter and encoding/json's rules are the definition.
func (s *docScanner) viaJSON(out any) bool {
	var raw json.RawMessage
	return s.raw(&raw) && json.Unmarshal(raw, out) == nil
}
