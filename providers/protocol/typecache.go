package protocol

import (
	"sync"
	"sync/atomic"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Every value on the wire and in state carries its cty type as JSON, and a plan of 1,000
// instances decodes the same few types thousands of times; parsing them dominated the
// no-change plan. UnmarshalType caches parsed types by their JSON text.
var (
	typeCache     sync.Map // string(type JSON) → cty.Type
	typeCacheSize atomic.Int64
)

// maxCachedTypes bounds the cache: type JSON may come from a plugin or a file, and a
// hostile source must not grow it without limit. Real configurations have a handful.
const maxCachedTypes = 4096

// UnmarshalType parses a cty type from its JSON form, like ctyjson.UnmarshalType, caching
// the result.
func UnmarshalType(typeJSON []byte) (cty.Type, error) {
	if t, ok := typeCache.Load(string(typeJSON)); ok {
		return t.(cty.Type), nil
	}
	t, err := ctyjson.UnmarshalType(typeJSON)
	if err != nil {
		return cty.NilType, err
	}
	if typeCacheSize.Load() < maxCachedTypes {
		if _, loaded := typeCache.LoadOrStore(string(typeJSON), t); !loaded {
			typeCacheSize.Add(1)
		}
	}
	return t, nil
}

// typeJSONCache remembers the JSON form of recently encoded types. cty.Type cannot be a map
// key (object types hold maps), so it is a short list compared with Equals, which is far
// cheaper than marshalling the type again for every value.
var typeJSONCache struct {
	sync.Mutex
	entries []typeJSONEntry
}

type typeJSONEntry struct {
	ty   cty.Type
	json []byte
}

const maxTypeJSONEntries = 32

// MarshalType returns the JSON form of ty, cached. The returned slice must not be modified.
func MarshalType(ty cty.Type) ([]byte, error) {
	typeJSONCache.Lock()
	for _, e := range typeJSONCache.entries {
		if e.ty.Equals(ty) {
			typeJSONCache.Unlock()
			return e.json, nil
		}
	}
	typeJSONCache.Unlock()
	j, err := ty.MarshalJSON()
	if err != nil {
		return nil, err
	}
	typeJSONCache.Lock()
	if len(typeJSONCache.entries) >= maxTypeJSONEntries {
		typeJSONCache.entries = typeJSONCache.entries[1:]
	}
	typeJSONCache.entries = append(typeJSONCache.entries, typeJSONEntry{ty: ty, json: j})
	typeJSONCache.Unlock()
	return j, nil
}
