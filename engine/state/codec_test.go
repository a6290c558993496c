package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/providers/protocol"
)

func testKey(t testing.TB) *Key {
	t.Helper()
	key, err := ParseKey(conformanceKey)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	passphrase, err := ParseKey("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]*Key{"raw key": testKey(t), "passphrase": passphrase} {
		t.Run(name, func(t *testing.T) {
			want := conformanceState()
			data, err := want.Encode(key)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := Decode(data, key)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := diffStates(want, got); diff != "" {
				t.Fatal(diff)
			}
		})
	}
}

func TestEncodeNeverWritesSecretsInClear(t *testing.T) {
	data, err := conformanceState().Encode(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	// A secret in clear would be a JSON string: look for it with its quotes, since the
	// base64 of the ciphertext may contain a short secret's letters by chance (it
	// once held "k1").
	for _, secret := range []string{"hunter2", "t0k3n", "k1", "s3cret", "cred-user", "cred-token-value"} {
		if bytes.Contains(data, []byte(`"`+secret+`"`)) {
			t.Errorf("state document contains %s in clear:\n%s", secret, data)
		}
	}
	for _, visible := range []string{"-----BEGIN CERTIFICATE-----", "127.0.0.1:8080", `"sealed"`, `"kdf": "none"`} {
		if !bytes.Contains(data, []byte(visible)) {
			t.Errorf("state document lacks %s", visible)
		}
	}
}

func TestEncodeWithoutKey(t *testing.T) {
	_, err := conformanceState().Encode(nil)
	want := "state holds sensitive values but RAMPART_STATE_KEY is not set: set it to a passphrase or 32-byte key " +
		"so secrets are encrypted at rest (rampart never writes them in clear)"
	if err == nil || err.Error() != want {
		t.Fatalf("Encode without key: %v\nwant: %s", err, want)
	}

	// Without sensitive values no key is needed.
	s := NewState()
	s.SetInstance(conformInstance("waf.plain"))
	if _, err := s.Encode(nil); err != nil {
		t.Fatalf("Encode of a state without secrets: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	sealed, err := conformanceState().Encode(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := ParseKey(strings.Repeat("ab", 32))
	passphrase, _ := ParseKey("a passphrase of some length")
	tests := []struct {
		name string
		data []byte
		key  *Key
		want string
	}{
		{"no key", sealed, nil, "state holds encrypted secrets but RAMPART_STATE_KEY is not set: set it to the passphrase or key the state was written with"},
		{"wrong key", sealed, otherKey, "RAMPART_STATE_KEY is not the key this state was written with"},
		{"passphrase for raw key", sealed, passphrase, "secrets were sealed with a raw 32-byte key but RAMPART_STATE_KEY holds a passphrase"},
		{"newer version", []byte(`{"format_version": 2}`), nil, "state format version 2 is newer than this rampart reads (version 1): upgrade rampart"},
		{"older version", []byte(`{"format_version": 0}`), nil, "state format version 0 is not supported by this rampart (it reads version 1)"},
		{"no version", []byte(`{"lineage": "x"}`), nil, "not a rampart state document: it has no format_version"},
		{"not json", []byte(`hello`), nil, "not a rampart state document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A sealed value copied to another attribute must not open there: the ciphertext is
// bound to where it belongs.
func TestSealedValueIsBoundToItsPlace(t *testing.T) {
	key := testKey(t)
	s := NewState()
	for _, addr := range []string{"waf.a", "waf.b"} {
		s.SetInstance(&Instance{Address: addr, Kind: "waf", Value: cty.ObjectVal(map[string]cty.Value{
			"token": cty.StringVal("secret-of-" + addr).Mark(protocol.SensitiveMark),
		})})
	}
	data, err := s.Encode(key)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	instances := doc["instances"].([]any)
	a := instances[0].(map[string]any)
	b := instances[1].(map[string]any)
	a["value"] = b["value"] // waf.b's sealed token into waf.a
	swapped, _ := json.Marshal(doc)
	if _, err := Decode(swapped, key); err == nil || !strings.Contains(err.Error(), "cannot decrypt") {
		t.Fatalf("Decode of a moved sealed value: %v, want a decrypt error", err)
	}
}

func TestRedactedJSON(t *testing.T) {
	data, err := conformanceState().RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "t0k3n", "k1", "s3cret", "sealed"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("redacted JSON contains %s", secret)
		}
	}
	var doc struct {
		Instances []struct {
			Address        string          `json:"address"`
			Value          json.RawMessage `json:"value"`
			SensitivePaths [][]any         `json:"sensitive_paths"`
		} `json:"instances"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	shop := doc.Instances[1]
	if shop.Address != "waf.shop" || len(shop.SensitivePaths) != 4 {
		t.Fatalf("waf.shop sensitive paths = %v, want 4", shop.SensitivePaths)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, shop.Value); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(compact.Bytes(), []byte(`"passphrase":null`)) {
		t.Errorf("passphrase not null in %s", shop.Value)
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		secret  string
		raw     bool
		wantErr bool
	}{
		{conformanceKey, true, false},
		{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true, false},
		{"a long passphrase", false, false},
		{"short", false, true},
	}
	for _, tt := range tests {
		key, err := ParseKey(tt.secret)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseKey(%q) error = %v", tt.secret, err)
			continue
		}
		if err == nil && (key.raw != nil) != tt.raw {
			t.Errorf("ParseKey(%q) raw = %v, want %v", tt.secret, key.raw != nil, tt.raw)
		}
	}
}

// benchState is a state of n instances shaped like real ones: nested runtime settings,
// a list of sites, one secret each.
func benchState(n int) *State {
	s := NewState()
	for i := range n {
		addr := fmt.Sprintf("waf.shop%d", i)
		s.SetInstance(&Instance{
			Address: addr, Kind: "waf", Provider: "provider.local", Placement: "local", SchemaVersion: 1,
			Value: cty.ObjectVal(map[string]cty.Value{
				"runtime": cty.ObjectVal(map[string]cty.Value{
					"listen": cty.ObjectVal(map[string]cty.Value{"http": cty.NumberIntVal(8080), "https": cty.NumberIntVal(8443)}),
					"tls":    cty.ObjectVal(map[string]cty.Value{"passphrase": cty.StringVal("pass").Mark(protocol.SensitiveMark), "certificate": cty.StringVal("/etc/shop.crt")}),
					"site": cty.ListVal([]cty.Value{
						cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("shop"), "hostnames": cty.ListVal([]cty.Value{cty.StringVal("shop.example.com")}), "mode": cty.StringVal("block")}),
						cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("api"), "hostnames": cty.ListVal([]cty.Value{cty.StringVal("api.example.com")}), "mode": cty.StringVal("detect")}),
					}),
				}),
				"placement": cty.ObjectVal(map[string]cty.Value{"pid": cty.NumberIntVal(int64(1000 + i)), "binary": cty.StringVal("/usr/lib/rampart/rampart-waf")}),
			}),
		})
	}
	return s
}

func BenchmarkEncode300Instances(b *testing.B) {
	s := benchState(300)
	key := testKey(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Encode(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode300Instances(b *testing.B) {
	key := testKey(b)
	data, err := benchState(300).Encode(key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data, key); err != nil {
			b.Fatal(err)
		}
	}
}
