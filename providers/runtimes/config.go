package runtimes

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

// RenderedConfig is a runtime configuration ready to be written or copied.
type RenderedConfig struct {
	// Data is exactly ctyjson.Marshal of the runtime value: no defaults applied here (the
	// runtime applies them), so reading it back with the same type gives back the same
	// value and a refresh never shows phantom drift.
	Data   []byte
	Parsed appliance.Config
}

// SHA256 is the hex digest the runtime reports as config_sha256 once it has loaded Data.
func (r RenderedConfig) SHA256() string {
	sum := sha256.Sum256(r.Data)
	return hex.EncodeToString(sum[:])
}

// Render turns a runtime value into the file content and validates it with the kind's
// own parser, the same code the runtime runs at start-up.
func Render(kind appliance.Kind, runtime cty.Value) (RenderedConfig, protocol.Diagnostics) {
	plain, _ := runtime.UnmarkDeep()
	if !plain.IsWhollyKnown() {
		return RenderedConfig{}, protocol.Diagnostics{}.Errorf("runtime configuration is not known",
			"The %s configuration still has values known only after apply; this is a bug in the engine, please report it.", kind.Name)
	}
	data, err := ctyjson.Marshal(plain, plain.Type())
	if err != nil {
		return RenderedConfig{}, protocol.Diagnostics{}.FromErr("cannot render "+kind.Name+" configuration", err)
	}
	parsed, err := kind.Parse(data)
	if err != nil {
		return RenderedConfig{}, ConfigErrors(kind, err)
	}
	return RenderedConfig{Data: data, Parsed: parsed}, nil
}

// ConfigErrors turns the kind's validation errors into one diagnostic each.
func ConfigErrors(kind appliance.Kind, err error) protocol.Diagnostics {
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	var diags protocol.Diagnostics
	for _, e := range errs {
		diags = append(diags, protocol.Diagnostic{
			Severity:  protocol.Error,
			Summary:   "invalid " + kind.Name + " configuration",
			Detail:    e.Error(),
			Attribute: cty.GetAttrPath("runtime"),
		})
	}
	return diags
}

// FromData decodes configuration bytes read back from a runtime with the type of prior.
// When they are exactly what prior renders to (the usual case: nothing changed since the
// last apply), prior itself is the answer: rendering is several times cheaper than
// decoding, and refresh does this for every instance of every plan.
func FromData(data []byte, prior cty.Value) (cty.Value, error) {
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
