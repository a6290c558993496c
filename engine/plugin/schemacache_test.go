package plugin

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

var testChecksum = "sha256:" + strings.Repeat("0f", 32)

// testSchema uses every feature of protocol.Schema the cache must keep.
func testSchema() *protocol.ProviderSchema {
	return &protocol.ProviderSchema{
		Provider: &protocol.Schema{
			Description: "Docker engine",
			Attributes: map[string]*protocol.Attribute{
				"host": {Type: cty.String, Optional: true, Description: "daemon address"},
				"key":  {Type: cty.String, Optional: true, Sensitive: true},
			},
			BlockTypes: map[string]*protocol.NestedBlock{
				"tls": {Nesting: protocol.NestingSingle, MaxItems: 1, Block: protocol.Schema{
					Attributes: map[string]*protocol.Attribute{"ca": {Type: cty.String, Required: true}},
				}},
			},
		},
		Placements: map[string]*protocol.PlacementSchema{
			"docker": {
				Kinds:   []string{"waf", "scanner"},
				Version: 3,
				Block: &protocol.Schema{
					Attributes: map[string]*protocol.Attribute{
						"ports":   {Type: cty.Map(cty.Number), Optional: true},
						"address": {Type: cty.String, Computed: true},
						"labels":  {Type: cty.Object(map[string]cty.Type{"a": cty.List(cty.Bool)}), Optional: true, Computed: true},
						"dynamic": {Type: cty.DynamicPseudoType, Optional: true},
					},
					BlockTypes: map[string]*protocol.NestedBlock{
						"volume": {Nesting: protocol.NestingList, MinItems: 1, MaxItems: 4, Block: protocol.Schema{
							Description: "a mount",
							Attributes:  map[string]*protocol.Attribute{"path": {Type: cty.Set(cty.String), Required: true}},
						}},
					},
				},
			},
			"empty": {Block: &protocol.Schema{}},
		},
	}
}

func TestSchemaCacheStoreAndHit(t *testing.T) {
	workDir := t.TempDir()
	if _, ok := CachedSchema(workDir, testChecksum); ok {
		t.Fatal("CachedSchema hit on an empty cache")
	}
	want := testSchema()
	if err := StoreSchema(workDir, testChecksum, want); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(workDir, ".rampart", "schemas", strings.Repeat("0f", 32)+".json")); err != nil {
		t.Errorf("cache file not where expected: %v", err)
	}
	got, ok := CachedSchema(workDir, testChecksum)
	if !ok {
		t.Fatal("CachedSchema missed right after StoreSchema")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cached schema differs:\n got %#v\nwant %#v", got, want)
	}
	// A different plugin binary is a different key.
	if _, ok := CachedSchema(workDir, "sha256:"+strings.Repeat("1e", 32)); ok {
		t.Error("CachedSchema hit for another checksum")
	}
}

func TestSchemaCacheCorruptIsMiss(t *testing.T) {
	tests := []struct{ name, content string }{
		{"not json", "{not json"},
		{"truncated", `{"format":1,"placements":{"x":{"block":{"attributes":{"a":{"type":"str`},
		{"old format", `{"format":0,"placements":{}}`},
		{"bad type", `{"format":1,"placements":{"x":{"block":{"attributes":{"a":{"type":"strung"}}}}}}`},
		{"bad nesting", `{"format":1,"placements":{"x":{"block":{"block_types":{"b":{"nesting":"map","block":{}}}}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workDir := t.TempDir()
			path, err := schemaCachePath(workDir, testChecksum)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if s, ok := CachedSchema(workDir, testChecksum); ok {
				t.Errorf("corrupt cache file was a hit: %#v", s)
			}
			// Storing again repairs the entry.
			if err := StoreSchema(workDir, testChecksum, testSchema()); err != nil {
				t.Fatal(err)
			}
			if _, ok := CachedSchema(workDir, testChecksum); !ok {
				t.Error("miss after repairing the cache entry")
			}
		})
	}
}

func TestSchemaCacheRejectsBadKeys(t *testing.T) {
	workDir := t.TempDir()
	for _, key := range []string{"", "md5:abc", "sha256:../../etc/passwd", "sha256:" + strings.Repeat("a", 63)} {
		if err := StoreSchema(workDir, key, testSchema()); err == nil {
			t.Errorf("StoreSchema(%q) succeeded, want an error", key)
		}
		if _, ok := CachedSchema(workDir, key); ok {
			t.Errorf("CachedSchema(%q) hit", key)
		}
	}
}

func BenchmarkCachedSchema(b *testing.B) {
	workDir := b.TempDir()
	if err := StoreSchema(workDir, testChecksum, testSchema()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := CachedSchema(workDir, testChecksum); !ok {
			b.Fatal("miss")
		}
	}
}
