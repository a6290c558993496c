package docker

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// renderedConfig is a runtime configuration ready to be copied into a container.
type renderedConfig struct {
	// Data is exactly ctyjson.Marshal of the runtime value (no defaults applied: the
	// runtime applies them), so reading it back with the same type gives back the same
	// value and a refresh shows no phantom drift. Same contract as the local provider.
	Data   []byte
	Parsed appliance.Config
}

// SHA256 is the hex digest the runtime reports as config_sha256 once it loaded Data.
func (r renderedConfig) SHA256() string {
	sum := sha256.Sum256(r.Data)
	return hex.EncodeToString(sum[:])
}

// renderConfig turns a runtime value into the file content and validates it with the
// kind's own parser, the same code the runtime runs at start-up.
func renderConfig(kind appliance.Kind, runtime cty.Value) (renderedConfig, protocol.Diagnostics) {
	plain, _ := runtime.UnmarkDeep()
	if !plain.IsWhollyKnown() {
		return renderedConfig{}, protocol.Diagnostics{}.Errorf("runtime configuration is not known",
			"The %s configuration still has values known only after apply; this is a bug in the engine, please report it.", kind.Name)
	}
	data, err := ctyjson.Marshal(plain, plain.Type())
	if err != nil {
		return renderedConfig{}, protocol.Diagnostics{}.FromErr("cannot render "+kind.Name+" configuration", err)
	}
	parsed, err := kind.Parse(data)
	if err != nil {
		var diags protocol.Diagnostics
		errs := []error{err}
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			errs = joined.Unwrap()
		}
		for _, e := range errs {
			diags = append(diags, protocol.Diagnostic{Severity: protocol.Error, Summary: "invalid " + kind.Name + " configuration",
				Detail: e.Error(), Attribute: cty.GetAttrPath("runtime")})
		}
		return renderedConfig{}, diags
	}
	return renderedConfig{Data: data, Parsed: parsed}, nil
}

// runtimeFromData decodes configuration bytes read back from a container with the type
// of prior; prior itself when the bytes are exactly what prior renders to.
func runtimeFromData(data []byte, prior cty.Value) (cty.Value, error) {
	plain, _ := prior.UnmarkDeep()
	if plain.IsWhollyKnown() {
		if rendered, err := ctyjson.Marshal(plain, plain.Type()); err == nil && bytes.Equal(rendered, data) {
			return prior, nil
		}
	}
	v, err := ctyjson.Unmarshal(data, prior.Type())
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode runtime config: %w", err)
	}
	return v, nil
}
