package state

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// referenceEncode is the definition of the state format: json.MarshalIndent of the whole
// document, every instance encoded afresh. Encode must write the same bytes.
func referenceEncode(t testing.TB, s *State, key *Key) []byte {
	t.Helper()
	sealer := &encrypter{key: key}
	doc, err := s.toDocument(sealer.seal)
	if err != nil {
		t.Fatalf("toDocument: %v", err)
	}
	doc.Encryption = sealer.header
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sealedText matches the ciphertext of a sealed value, the one part of a document that is
// random: each sealing draws a new nonce.
var sealedText = regexp.MustCompile(`"sealed": "[A-Za-z0-9+/=]*"`)

func withoutCiphertexts(data []byte) []byte {
	return sealedText.ReplaceAll(data, []byte(`"sealed": "…"`))
}

// stamped gives every instance of s a generation, as a Manager does for what it stores,
// so Encode may cache their elements.
func stamped(s *State) *State {
	for _, inst := range s.Instances {
		inst.stamp()
	}
	return s
}

// collidingState holds names and strings that look like the parts of the document Encode
// splices together.
func collidingState() *State {
	s := NewState()
	s.Lineage = "\n  \"instances\": null"
	tricky := []string{`"instances": null`, "\n  \"instances\": null,", `[]`, `<script>&`, "\u2028", `",\n    {`}
	for i, text := range tricky {
		inst := conformInstance("waf.t" + strings.Repeat("x", i))
		inst.Kind = text
		inst.Value = cty.ObjectVal(map[string]cty.Value{"runtime": cty.ObjectVal(map[string]cty.Value{"note": cty.StringVal(text)})})
		s.SetInstance(inst)
	}
	s.Outputs["instances"] = &Output{Value: cty.StringVal(`"instances": null`)}
	s.Outputs["\n  \"instances\": null"] = &Output{Value: cty.ListValEmpty(cty.String)}
	return s
}

// TestEncodeWritesWhatMarshalIndentWrites: the document Encode assembles from cached
// elements is byte for byte json.MarshalIndent of the whole document, on the first write
// (nothing cached) and on the next (everything cached), ciphertexts aside; and it reads
// back as the state written.
func TestEncodeWritesWhatMarshalIndentWrites(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		name  string
		state func() *State
	}{
		{"no instances", NewState},
		{"one instance", func() *State {
			s := NewState()
			s.SetInstance(conformInstance("waf.only"))
			return s
		}},
		{"conformance state", conformanceState},
		{"200 Docker WAFs", func() *State { return wafDockerState(200) }},
		{"names like the document's own text", collidingState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stamped(tt.state())
			want := withoutCiphertexts(referenceEncode(t, s, key))
			for _, write := range []string{"first write", "cached write"} {
				data, err := s.Encode(key)
				if err != nil {
					t.Fatalf("%s: Encode: %v", write, err)
				}
				if got := withoutCiphertexts(data); !bytes.Equal(got, want) {
					t.Fatalf("%s: Encode differs from MarshalIndent of the document at byte %d:\n%s",
						write, firstDifference(got, want), excerpt(got, firstDifference(got, want)))
				}
				assertCanonical(t, data)
				back, err := Decode(data, key)
				if err != nil {
					t.Fatalf("%s: Decode: %v", write, err)
				}
				if diff := diffStates(s, back); diff != "" {
					t.Fatalf("%s: %s", write, diff)
				}
			}
		})
	}
}

// assertCanonical checks that data, ciphertexts included, is exactly MarshalIndent of the
// document it holds.
func assertCanonical(t *testing.T, data []byte) {
	t.Helper()
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not a document: %v", err)
	}
	again, err := json.MarshalIndent(&doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		at := firstDifference(data, again)
		t.Fatalf("document is not MarshalIndent of itself at byte %d:\n%s", at, excerpt(data, at))
	}
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func excerpt(data []byte, at int) string {
	return string(data[max(0, at-80):min(len(data), at+80)])
}

// FuzzEncodeWritesWhatMarshalIndentWrites: whatever text addresses, kinds, values and
// output names hold, the assembled document is MarshalIndent's.
func FuzzEncodeWritesWhatMarshalIndentWrites(f *testing.F) {
	f.Add("waf.a", "waf", "value", "out")
	f.Add(`waf["\n  \"instances\": null"]`, `"instances": null`, "\n  \"instances\": null,\n", "instances")
	f.Add("", "", "", "")
	f.Add("waf.\u2028", "<&>", "\x00\xff", `"`)
	f.Fuzz(func(t *testing.T, address, kind, text, output string) {
		s := NewState()
		s.Lineage = text
		for _, addr := range []string{address, address + "2"} {
			s.SetInstance(&Instance{Address: addr, Kind: kind, Provider: text, Private: []byte(text), Dependencies: []string{text},
				Value: cty.ObjectVal(map[string]cty.Value{"runtime": cty.ObjectVal(map[string]cty.Value{text: cty.StringVal(text)})})})
		}
		s.Outputs[output] = &Output{Value: cty.StringVal(text)}
		stamped(s)
		want := referenceEncode(t, s, nil)
		for range 2 {
			got, err := s.Encode(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				at := firstDifference(got, want)
				t.Fatalf("Encode differs from MarshalIndent at byte %d:\n%s", at, excerpt(got, at))
			}
		}
	})
}
