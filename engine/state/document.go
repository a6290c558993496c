package state

import "encoding/json"

// document is the JSON form of a State. Sensitive values are never in it in clear: the
// encoder replaces each by {"sealed": "<base64 nonce||ciphertext>"} (or by null in the
// redacted form) and lists its path in sensitive_paths.
type document struct {
	FormatVersion  int                  `json:"format_version"`
	RampartVersion string               `json:"rampart_version"`
	Lineage        string               `json:"lineage"`
	Serial         uint64               `json:"serial"`
	Encryption     *encryption          `json:"encryption,omitempty"`
	Instances      []instanceDoc        `json:"instances"`
	Outputs        map[string]outputDoc `json:"outputs"`
}

type instanceDoc struct {
	Address       string `json:"address"`
	Kind          string `json:"kind"`
	Provider      string `json:"provider"`
	Placement     string `json:"placement"`
	SchemaVersion int64  `json:"schema_version"`
	valueDoc
	Private             []byte   `json:"private,omitempty"` // base64
	Dependencies        []string `json:"dependencies,omitempty"`
	CreateBeforeDestroy bool     `json:"create_before_destroy"`
}

type outputDoc struct {
	valueDoc
	Sensitive bool `json:"sensitive"`
}

// valueDoc is one cty value: its type (cty's JSON type syntax), its value in that type
// and the paths that carry the sensitive mark (compact form, see plans.PathToJSON).
type valueDoc struct {
	Type           json.RawMessage `json:"type"`
	Value          json.RawMessage `json:"value"`
	SensitivePaths [][]any         `json:"sensitive_paths,omitempty"`
}

// sealedValue is what stands in the document for an encrypted sensitive value.
type sealedValue struct {
	Sealed []byte `json:"sealed"` // base64 of nonce||ciphertext
}
