package plugin

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rampart-sec/rampart/internal/atomicfile"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// Provider schemas are cached on disk under .rampart/schemas/<checksum hex>.json. A
// plugin's schema can only change when its binary does, so its checksum is a complete
// cache key, and a cache hit saves starting a plugin just to ask for its schema.

// schemaCacheFormat is bumped whenever the JSON shape below changes; older files are then
// treated as misses and rewritten.
const schemaCacheFormat = 1

func schemaCachePath(workDir, checksum string) (string, error) {
	digest, err := checksumDigest(checksum)
	if err != nil {
		return "", fmt.Errorf("schema cache key: %w", err)
	}
	// The file name comes from the decoded digest, never from the caller's string, so it
	// cannot contain a path separator.
	return filepath.Join(workDir, ".rampart", "schemas", hex.EncodeToString(digest)+".json"), nil
}

// CachedSchema returns the cached schema of the plugin with this checksum. A missing,
// unreadable or corrupt cache file is a miss: the caller asks the plugin and stores the
// answer again.
func CachedSchema(workDir string, checksum string) (*protocol.ProviderSchema, bool) {
	path, err := schemaCachePath(workDir, checksum)
	if err != nil {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	schema, err := decodeSchemaCache(data)
	if err != nil {
		return nil, false
	}
	return schema, true
}

// StoreSchema caches the schema of the plugin with this checksum.
func StoreSchema(workDir, checksum string, s *protocol.ProviderSchema) error {
	path, err := schemaCachePath(workDir, checksum)
	if err != nil {
		return err
	}
	data, err := encodeSchemaCache(s)
	if err != nil {
		return fmt.Errorf("cache provider schema: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cache provider schema: %w", err)
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("cache provider schema: %w", err)
	}
	return nil
}

func encodeSchemaCache(s *protocol.ProviderSchema) ([]byte, error) {
	doc := schemaCacheDoc{Format: schemaCacheFormat, Placements: make(map[string]placementDoc)}
	var err error
	if doc.Provider, err = encodeBlock(s.Provider); err != nil {
		return nil, fmt.Errorf("provider block: %w", err)
	}
	for name, p := range s.Placements {
		if p == nil {
			continue
		}
		block, err := encodeBlock(p.Block)
		if err != nil {
			return nil, fmt.Errorf("placement %q: %w", name, err)
		}
		doc.Placements[name] = placementDoc{Block: block, Kinds: p.Kinds, Version: p.Version}
	}
	return json.Marshal(doc)
}

func decodeSchemaCache(data []byte) (*protocol.ProviderSchema, error) {
	var doc schemaCacheDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Format != schemaCacheFormat {
		return nil, fmt.Errorf("schema cache format %d, want %d", doc.Format, schemaCacheFormat)
	}
	s := &protocol.ProviderSchema{Placements: make(map[string]*protocol.PlacementSchema, len(doc.Placements))}
	var err error
	if s.Provider, err = decodeBlock(doc.Provider); err != nil {
		return nil, fmt.Errorf("provider block: %w", err)
	}
	for name, p := range doc.Placements {
		block, err := decodeBlock(p.Block)
		if err != nil {
			return nil, fmt.Errorf("placement %q: %w", name, err)
		}
		s.Placements[name] = &protocol.PlacementSchema{Block: block, Kinds: p.Kinds, Version: p.Version}
	}
	return s, nil
}
