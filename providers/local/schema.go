package local

import (
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
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

// userAttrs are the attributes the user sets.
var userAttrs = []string{attrBinary, attrEnv}

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

// pidAttr returns the pid attribute of a placement object, 0 when unset.
func pidAttr(obj cty.Value) int {
	v, _ := shape.Attr(obj, attrPID).Unmark()
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return 0
	}
	n, _ := v.AsBigFloat().Int64()
	return int(n)
}

// shape is the placement object's plumbing (sdk.Shape): values from config and computed
// attributes, attribute access.
var shape = sdk.Shape{Type: placementType, User: userAttrs, Computed: computedAttrs}
