package state

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// requireScanAgrees fails if scanDocument accepts data but reads it differently from
// encoding/json (unmarshalDocument), the definition of the format.
func requireScanAgrees(t *testing.T, data []byte) (scanned bool) {
	t.Helper()
	doc, hasVersion, ok := scanDocument(data)
	if !ok {
		return false
	}
	want, err := unmarshalDocument(data)
	if !hasVersion || doc.FormatVersion != FormatVersion {
		if err == nil {
			t.Fatalf("scanDocument read version %d (present %v), encoding/json accepts the document", doc.FormatVersion, hasVersion)
		}
		return true
	}
	if err != nil {
		t.Fatalf("scanDocument accepts %q, encoding/json fails: %v", data, err)
	}
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("scanDocument and encoding/json disagree on %q:\n got %#v\nwant %#v", data, doc, want)
	}
	return true
}

// TestScanDocumentReadsEncodedStates: the documents Encode writes take the fast path and
// read exactly as encoding/json reads them.
func TestScanDocumentReadsEncodedStates(t *testing.T) {
	key := testKey(t)
	for name, s := range map[string]*State{"conformance": conformanceState(), "waf docker": wafDockerState(3), "empty": NewState()} {
		data, err := s.Encode(key)
		if err != nil {
			t.Fatal(err)
		}
		if !requireScanAgrees(t, data) {
			t.Errorf("%s: a document written by Encode does not take the fast path", name)
		}
	}
}

// TestScanDocumentLeavesOtherShapesToEncodingJSON: documents not in Encode's shape are
// read by encoding/json, and Decode returns what it always returned for them.
func TestScanDocumentLeavesOtherShapesToEncodingJSON(t *testing.T) {
	key := testKey(t)
	s := NewState()
	s.Serial = 3
	s.SetInstance(conformInstance("waf.a"))
	data, err := s.Encode(key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new string
		wantErr        string // "" when the document still decodes
	}{
		{"key in another case", `"address"`, `"Address"`, ""},
		{"unknown key", `"kind"`, `"future_field": {"x": [1]}, "kind"`, ""},
		{"repeated key", `"serial": 3`, `"serial": 2, "serial": 3`, ""},
		{"number written as a float", `"serial": 3`, `"serial": 3.0`, "state document"},
		{"negative serial", `"serial": 3`, `"serial": -3`, "state document"},
		{"null string", `"kind": "waf"`, `"kind": null`, ""},
		{"format version null", `"format_version": 1`, `"format_version": null`, "it has no format_version"},
		{"trailing bytes", `"outputs": {}` + "\n}", `"outputs": {}` + "\n} x", "not a rampart state document"},
		{"bad private", `"waf",`, `"waf", "private": "***",`, "state document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(data, []byte(tt.old)) {
				t.Fatalf("document lacks %s:\n%s", tt.old, data)
			}
			changed := bytes.Replace(data, []byte(tt.old), []byte(tt.new), 1)
			if _, _, ok := scanDocument(changed); ok {
				t.Fatalf("scanDocument read a document not in Encode's shape:\n%s", changed)
			}
			got, err := Decode(changed, key)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Decode error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(got.Instances) != 1 || got.Instances[0].Address != "waf.a" || got.Serial != 3 {
				t.Fatalf("Decode read %+v", got.Instances)
			}
		})
	}
}

// TestScanDocumentChecksTheVersion: a document in Encode's shape but of another format
// version is refused as before.
func TestScanDocumentChecksTheVersion(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{`{"format_version": 2, "instances": []}`, "state format version 2 is newer than this rampart reads (version 1): upgrade rampart"},
		{`{"format_version": 0}`, "state format version 0 is not supported by this rampart (it reads version 1)"},
		{`{"lineage": "x"}`, "not a rampart state document: it has no format_version"},
	} {
		if _, _, ok := scanDocument([]byte(tt.data)); !ok {
			t.Errorf("scanDocument declined %s", tt.data)
		}
		if _, err := Decode([]byte(tt.data), nil); err == nil || err.Error() != tt.want {
			t.Errorf("Decode(%s) error = %v, want %s", tt.data, err, tt.want)
		}
	}
}

// FuzzScanDocument: whatever the bytes, the fast path either declines or reads what
// encoding/json reads.
func FuzzScanDocument(f *testing.F) {
	key := testKey(f)
	for _, s := range []*State{conformanceState(), wafDockerState(1), NewState()} {
		data, err := s.Encode(key)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"format_version":1,"instances":[{"address":"a\u00e9\ud800","private":"AAE=","dependencies":[],"schema_version":-0}]}`))
	f.Add([]byte(`{"format_version":1,"serial":18446744073709551615,"instances":null,"outputs":null,"encryption":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		requireScanAgrees(t, data)
	})
}
