package planfile

import (
	"encoding/json"
	"time"
)

// formatName marks a JSON document as a rampart plan, so Read can tell a plan made by
// another rampart version from some other file.
const formatName = "rampart-plan"

// document is the JSON form of a plans.Plan. The file is this document, gzip'd.
type document struct {
	Format         string               `json:"format"`
	FormatVersion  int                  `json:"format_version"`
	RampartVersion string               `json:"rampart_version"`
	CreatedAt      time.Time            `json:"created_at"`
	ConfigHash     string               `json:"config_hash"`
	StateLineage   string               `json:"state_lineage"`
	StateSerial    uint64               `json:"state_serial"`
	Destroy        bool                 `json:"destroy,omitempty"`
	Variables      map[string]*valueDoc `json:"variables,omitempty"`
	Changes        []changeDoc          `json:"changes"`
	Drift          []driftDoc           `json:"drift,omitempty"`
	Outputs        []outputChangeDoc    `json:"outputs,omitempty"`
}

type changeDoc struct {
	Address         string    `json:"address"`
	Kind            string    `json:"kind"`
	Provider        string    `json:"provider"`
	Placement       string    `json:"placement"`
	Action          string    `json:"action"`
	Before          *valueDoc `json:"before,omitempty"`
	After           *valueDoc `json:"after,omitempty"`
	RequiresReplace [][]any   `json:"requires_replace,omitempty"`
	Details         []string  `json:"details,omitempty"`
	Private         []byte    `json:"private,omitempty"`
	Dependencies    []string  `json:"dependencies,omitempty"`
	Reason          string    `json:"reason,omitempty"`
}

type driftDoc struct {
	Address string    `json:"address"`
	Before  *valueDoc `json:"before,omitempty"`
	After   *valueDoc `json:"after,omitempty"`
}

type outputChangeDoc struct {
	Name      string    `json:"name"`
	Action    string    `json:"action"`
	Before    *valueDoc `json:"before,omitempty"`
	After     *valueDoc `json:"after,omitempty"`
	Sensitive bool      `json:"sensitive,omitempty"`
}

// valueDoc is one cty value. msgpack, unlike JSON, keeps unknown values; the type says
// how to read it; sensitive_paths says where to put the sensitive marks back. A missing
// valueDoc (nil) stands for cty.NilVal.
type valueDoc struct {
	Type           json.RawMessage `json:"type"`
	Msgpack        []byte          `json:"msgpack"` // base64
	SensitivePaths [][]any         `json:"sensitive_paths,omitempty"`
}
