package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/rampart-sec/rampart/plans"
)

// jsonFormatVersion is the version of the document PlanJSON writes; tools check it.
const jsonFormatVersion = "1.0"

// The JSON plan follows Terraform's `show -json` conventions where they exist, so policy
// tools feel at home: values as plain JSON, unknown and sensitive parts as null in the
// value plus a mirror structure (after_unknown, *_sensitive) with true where they were.
type jsonPlan struct {
	FormatVersion  string                `json:"format_version"`
	RampartVersion string                `json:"rampart_version"`
	ConfigHash     string                `json:"config_hash"`
	StateLineage   string                `json:"state_lineage"`
	StateSerial    uint64                `json:"state_serial"`
	Destroy        bool                  `json:"destroy"`
	Changes        []jsonChange          `json:"changes"`
	Drift          []jsonDrift           `json:"drift"`
	Outputs        map[string]jsonOutput `json:"outputs"`
	Summary        jsonSummary           `json:"summary"`
}

type jsonChange struct {
	Address         string          `json:"address"`
	Kind            string          `json:"kind"`
	Provider        string          `json:"provider"`
	Placement       string          `json:"placement"`
	Action          plans.Action    `json:"action"`
	Before          json.RawMessage `json:"before"`
	After           json.RawMessage `json:"after"`
	AfterUnknown    any             `json:"after_unknown"`
	BeforeSensitive any             `json:"before_sensitive"`
	AfterSensitive  any             `json:"after_sensitive"`
	RequiresReplace [][]any         `json:"requires_replace"`
	Details         []string        `json:"details"`
	Reason          string          `json:"reason,omitempty"`
}

type jsonDrift struct {
	Address         string          `json:"address"`
	Before          json.RawMessage `json:"before"`
	After           json.RawMessage `json:"after"`
	BeforeSensitive any             `json:"before_sensitive"`
	AfterSensitive  any             `json:"after_sensitive"`
}

type jsonOutput struct {
	Action       plans.Action    `json:"action"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
	AfterUnknown bool            `json:"after_unknown"`
	Sensitive    bool            `json:"sensitive"`
}

type jsonSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

// PlanJSON writes p as one JSON document for CI and policy tools. Sensitive values are
// null, with true at their place in before_sensitive / after_sensitive.
func PlanJSON(w io.Writer, p *plans.Plan) error {
	doc := jsonPlan{
		FormatVersion:  jsonFormatVersion,
		RampartVersion: p.RampartVersion,
		ConfigHash:     p.ConfigHash,
		StateLineage:   p.StateLineage,
		StateSerial:    p.StateSerial,
		Destroy:        p.Destroy,
		Changes:        []jsonChange{},
		Drift:          []jsonDrift{},
		Outputs:        map[string]jsonOutput{},
	}
	for _, c := range p.Changes {
		jc := jsonChange{
			Address: c.Address, Kind: c.Kind, Provider: c.Provider, Placement: c.Placement, Action: c.Action,
			AfterUnknown:    unknownMirror(c.After),
			BeforeSensitive: sensitiveMirror(c.Before),
			AfterSensitive:  sensitiveMirror(c.After),
			RequiresReplace: [][]any{},
			Details:         append([]string{}, c.Details...),
			Reason:          c.Reason,
		}
		var err error
		if jc.Before, err = plainJSON(c.Before); err != nil {
			return fmt.Errorf("render %s: %w", c.Address, err)
		}
		if jc.After, err = plainJSON(c.After); err != nil {
			return fmt.Errorf("render %s: %w", c.Address, err)
		}
		for _, path := range c.RequiresReplace {
			jc.RequiresReplace = append(jc.RequiresReplace, plans.PathToJSON(path))
		}
		doc.Changes = append(doc.Changes, jc)
	}
	for _, d := range p.Drift {
		jd := jsonDrift{Address: d.Address, BeforeSensitive: sensitiveMirror(d.Before), AfterSensitive: sensitiveMirror(d.After)}
		var err error
		if jd.Before, err = plainJSON(d.Before); err != nil {
			return fmt.Errorf("render drift of %s: %w", d.Address, err)
		}
		if jd.After, err = plainJSON(d.After); err != nil {
			return fmt.Errorf("render drift of %s: %w", d.Address, err)
		}
		doc.Drift = append(doc.Drift, jd)
	}
	for _, o := range p.Outputs {
		before, after := o.Before, o.After
		if o.Sensitive {
			before, after = orNull(before).Mark(sensitiveMark), orNull(after).Mark(sensitiveMark)
		}
		jo := jsonOutput{
			Action:       o.Action,
			AfterUnknown: !orNull(o.After).IsWhollyKnown(),
			Sensitive:    o.Sensitive || orNull(o.Before).HasMarkDeep(sensitiveMark) || orNull(o.After).HasMarkDeep(sensitiveMark),
		}
		var err error
		if jo.Before, err = plainJSON(before); err != nil {
			return fmt.Errorf("render output %s: %w", o.Name, err)
		}
		if jo.After, err = plainJSON(after); err != nil {
			return fmt.Errorf("render output %s: %w", o.Name, err)
		}
		doc.Outputs[o.Name] = jo
	}
	s := p.Summary()
	doc.Summary = jsonSummary{Add: s.Add, Change: s.Change, Destroy: s.Destroy}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// plainJSON renders v as plain JSON with sensitive and unknown parts as null.
func plainJSON(v cty.Value) (json.RawMessage, error) {
	v = orNull(v)
	v, err := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if v.HasMark(sensitiveMark) {
			plain, _ := v.UnmarkDeep()
			return cty.NullVal(plain.Type()), nil
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	v, _ = v.UnmarkDeep()
	v = cty.UnknownAsNull(v)
	return ctyjson.Marshal(v, v.Type())
}

// unknownMirror mirrors v: true where v is unknown; objects and maps list the entries
// that are or hold something unknown, lists hold one entry per element.
func unknownMirror(v cty.Value) any {
	v, _ = orNull(v).UnmarkDeep()
	return mirror(v, func(v cty.Value) bool { return !v.IsKnown() })
}

// sensitiveMirror mirrors v: true where v carries the sensitive mark.
func sensitiveMirror(v cty.Value) any {
	return mirror(orNull(v), func(v cty.Value) bool { return v.HasMark(sensitiveMark) })
}

func mirror(v cty.Value, hit func(cty.Value) bool) any {
	if hit(v) {
		return true
	}
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() {
		if isMapping(v.Type()) {
			return map[string]any{}
		}
		return false
	}
	switch ty := v.Type(); {
	case isMapping(ty):
		out := map[string]any{}
		for _, k := range keys(v) {
			if m := mirror(child(v, k), hit); !emptyMirror(m) {
				out[k] = m
			}
		}
		return out
	case isSequence(ty):
		out := []any{}
		for _, e := range elements(v) {
			out = append(out, mirror(e, hit))
		}
		return out
	}
	return false
}

// emptyMirror reports whether a mirror holds no true anywhere; objects leave such
// entries out, so a mirror lists only what matters.
func emptyMirror(m any) bool {
	switch m := m.(type) {
	case bool:
		return !m
	case map[string]any:
		return len(m) == 0
	case []any:
		for _, e := range m {
			if !emptyMirror(e) {
				return false
			}
		}
		return true
	}
	return true
}
