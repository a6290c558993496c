package planfile

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/rampart-sec/rampart/plans"
)

func toDocument(p *plans.Plan) (*document, error) {
	doc := &document{
		Format:         formatName,
		FormatVersion:  plans.FormatVersion,
		RampartVersion: p.RampartVersion,
		CreatedAt:      p.CreatedAt,
		ConfigHash:     p.ConfigHash,
		StateLineage:   p.StateLineage,
		StateSerial:    p.StateSerial,
		Destroy:        p.Destroy,
		Changes:        make([]changeDoc, 0, len(p.Changes)),
	}
	if len(p.Variables) > 0 {
		doc.Variables = make(map[string]*valueDoc, len(p.Variables))
		for name, v := range p.Variables {
			vd, err := encodeValue(v, false)
			if err != nil {
				return nil, fmt.Errorf("variable %s: %w", name, err)
			}
			doc.Variables[name] = vd
		}
	}
	for _, c := range p.Changes {
		cd, err := changeToDoc(c)
		if err != nil {
			return nil, fmt.Errorf("change of %s: %w", c.Address, err)
		}
		doc.Changes = append(doc.Changes, cd)
	}
	for _, d := range p.Drift {
		before, err1 := encodeValue(d.Before, false)
		after, err2 := encodeValue(d.After, false)
		if err := firstError(err1, err2); err != nil {
			return nil, fmt.Errorf("drift of %s: %w", d.Address, err)
		}
		doc.Drift = append(doc.Drift, driftDoc{Address: d.Address, Before: before, After: after})
	}
	for _, o := range p.Outputs {
		before, err1 := encodeValue(o.Before, o.Sensitive)
		after, err2 := encodeValue(o.After, o.Sensitive)
		if err := firstError(err1, err2); err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		doc.Outputs = append(doc.Outputs, outputChangeDoc{
			Name: o.Name, Action: string(o.Action), Before: before, After: after, Sensitive: o.Sensitive,
		})
	}
	return doc, nil
}

func changeToDoc(c *plans.Change) (changeDoc, error) {
	before, err1 := encodeValue(c.Before, false)
	after, err2 := encodeValue(c.After, false)
	if err := firstError(err1, err2); err != nil {
		return changeDoc{}, err
	}
	cd := changeDoc{
		Address: c.Address, Kind: c.Kind, Provider: c.Provider, Placement: c.Placement,
		Action: string(c.Action), Before: before, After: after,
		Details: c.Details, Private: c.Private, Dependencies: c.Dependencies, Reason: c.Reason,
	}
	for _, p := range c.RequiresReplace {
		cd.RequiresReplace = append(cd.RequiresReplace, plans.PathToJSON(p))
	}
	return cd, nil
}

func fromDocument(doc *document) (*plans.Plan, error) {
	p := &plans.Plan{
		RampartVersion: doc.RampartVersion,
		CreatedAt:      doc.CreatedAt,
		ConfigHash:     doc.ConfigHash,
		StateLineage:   doc.StateLineage,
		StateSerial:    doc.StateSerial,
		Destroy:        doc.Destroy,
	}
	if len(doc.Variables) > 0 {
		p.Variables = make(map[string]cty.Value, len(doc.Variables))
		for name, vd := range doc.Variables {
			v, err := decodeValue(vd)
			if err != nil {
				return nil, fmt.Errorf("variable %s: %w", name, err)
			}
			p.Variables[name] = v
		}
	}
	for _, cd := range doc.Changes {
		c, err := changeFromDoc(cd)
		if err != nil {
			return nil, fmt.Errorf("change of %s: %w", cd.Address, err)
		}
		p.Changes = append(p.Changes, c)
	}
	for _, dd := range doc.Drift {
		before, err1 := decodeValue(dd.Before)
		after, err2 := decodeValue(dd.After)
		if err := firstError(err1, err2); err != nil {
			return nil, fmt.Errorf("drift of %s: %w", dd.Address, err)
		}
		p.Drift = append(p.Drift, &plans.Drift{Address: dd.Address, Before: before, After: after})
	}
	for _, od := range doc.Outputs {
		action, err := knownAction(od.Action)
		before, err1 := decodeValue(od.Before)
		after, err2 := decodeValue(od.After)
		if err := firstError(err, err1, err2); err != nil {
			return nil, fmt.Errorf("output %s: %w", od.Name, err)
		}
		p.Outputs = append(p.Outputs, &plans.OutputChange{
			Name: od.Name, Action: action, Before: before, After: after, Sensitive: od.Sensitive,
		})
	}
	return p, nil
}

func changeFromDoc(cd changeDoc) (*plans.Change, error) {
	action, err := knownAction(cd.Action)
	if err != nil {
		return nil, err
	}
	before, err1 := decodeValue(cd.Before)
	after, err2 := decodeValue(cd.After)
	if err := firstError(err1, err2); err != nil {
		return nil, err
	}
	replace, err := pathsFromJSON(valueType(after, before), cd.RequiresReplace)
	if err != nil {
		return nil, fmt.Errorf("requires_replace: %w", err)
	}
	return &plans.Change{
		Address: cd.Address, Kind: cd.Kind, Provider: cd.Provider, Placement: cd.Placement,
		Action: action, Before: before, After: after, RequiresReplace: replace,
		Details: cd.Details, Private: cd.Private, Dependencies: cd.Dependencies, Reason: cd.Reason,
	}, nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// knownAction rejects actions this rampart does not know, rather than apply something
// it does not understand.
func knownAction(name string) (plans.Action, error) {
	switch a := plans.Action(name); a {
	case plans.NoOp, plans.Create, plans.Update, plans.DeleteThenCreate, plans.CreateThenDelete, plans.Delete:
		return a, nil
	}
	return "", fmt.Errorf("unknown action %q", name)
}
