package local

import (
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// Attribute names of the `local` placement block.
const (
	attrBinary       = "binary"
	attrEnv          = "env"
	attrPID          = "pid"
	attrConfigPath   = "config_path"
	attrLogPath      = "log_path"
	attrAdmin        = "admin"
	attrBinarySHA256 = "binary_sha256"
)

// schemaVersion is stored with each instance's state; bump it when the placement's
// attributes change incompatibly.
const schemaVersion = 1

// computedAttrs are the attributes the provider sets; the user cannot.
var computedAttrs = []string{attrPID, attrConfigPath, attrLogPath, attrAdmin, attrBinarySHA256}

// placementType is the cty type of the placement block's object.
var placementType = cty.Object(map[string]cty.Type{
	attrBinary:       cty.String,
	attrEnv:          cty.Map(cty.String),
	attrPID:          cty.Number,
	attrConfigPath:   cty.String,
	attrLogPath:      cty.String,
	attrAdmin:        cty.String,
	attrBinarySHA256: cty.String,
})

func placementSchema() *protocol.PlacementSchema {
	return &protocol.PlacementSchema{
		Kinds:   appliance.Names(),
		Version: schemaVersion,
		Block: &protocol.Schema{
			Description: "Runs the appliance as a background process of its runtime binary on this machine.",
			Attributes: map[string]*protocol.Attribute{
				attrBinary: {
					Type:        cty.String,
					Optional:    true,
					Description: "Path of the runtime binary. Default: the kind's binary (e.g. rampart-waf) next to the provider, then in $PATH.",
				},
				attrEnv: {
					Type:        cty.Map(cty.String),
					Optional:    true,
					Sensitive:   true, // values may be secrets such as WAF_SSL_PASSPHRASE
					Description: "Extra environment variables for the process.",
				},
				attrPID:          {Type: cty.Number, Computed: true, Description: "Process id of the running runtime."},
				attrConfigPath:   {Type: cty.String, Computed: true, Description: "Configuration file the runtime loads."},
				attrLogPath:      {Type: cty.String, Computed: true, Description: "File receiving the runtime's stdout and stderr."},
				attrAdmin:        {Type: cty.String, Computed: true, Description: "Address of the runtime's admin API (host:port or unix:/path)."},
				attrBinarySHA256: {Type: cty.String, Computed: true, Description: "SHA-256 of the binary the process was started from; a rebuilt binary forces a restart."},
			},
		},
	}
}

// placementValue builds the placement object from the user's attributes (taken from
// config) and the computed ones. Computed attributes missing from computed are unknown.
func placementValue(config cty.Value, computed map[string]cty.Value) cty.Value {
	attrs := map[string]cty.Value{
		attrBinary: userAttr(config, attrBinary),
		attrEnv:    userAttr(config, attrEnv),
	}
	for _, name := range computedAttrs {
		v, ok := computed[name]
		if !ok {
			v = cty.UnknownVal(placementType.AttributeType(name))
		}
		attrs[name] = v
	}
	return cty.ObjectVal(attrs)
}

// userAttr returns a user-set attribute of a placement object, null when absent.
func userAttr(obj cty.Value, name string) cty.Value {
	typ := placementType.AttributeType(name)
	if obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(typ)
	}
	return obj.GetAttr(name)
}

// computedOf copies the computed attributes of a placement object.
func computedOf(obj cty.Value) map[string]cty.Value {
	out := make(map[string]cty.Value, len(computedAttrs))
	for _, name := range computedAttrs {
		out[name] = userAttr(obj, name)
	}
	return out
}

// stringAttr returns a known string attribute of a placement object, "" otherwise.
func stringAttr(obj cty.Value, name string) string {
	v, _ := userAttr(obj, name).Unmark()
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// pidAttr returns the pid attribute of a placement object, 0 when unset.
func pidAttr(obj cty.Value) int {
	v, _ := userAttr(obj, attrPID).Unmark()
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return 0
	}
	n, _ := v.AsBigFloat().Int64()
	return int(n)
}
