package protocol

import "fmt"

func encodeInstance(i Instance) *WireInstance {
	return &WireInstance{Address: i.Address, Kind: i.Kind, Placement: i.Placement, Lineage: i.Lineage}
}

func decodeInstance(w *WireInstance) Instance {
	return Instance{Address: w.GetAddress(), Kind: w.GetKind(), Placement: w.GetPlacement(), Lineage: w.GetLineage()}
}

func encodeObserved(o *Observed) (*WireObserved, error) {
	if o == nil {
		return nil, nil
	}
	value, err := EncodeInstanceValue(o.Value)
	if err != nil {
		return nil, err
	}
	return &WireObserved{
		Value:   value,
		Private: o.Private,
		Status:  encodeStatus(o.Status),
	}, nil
}

func decodeObserved(w *WireObserved) (*Observed, error) {
	if w == nil {
		return nil, nil
	}
	value, err := DecodeInstanceValue(w.GetValue())
	if err != nil {
		return nil, err
	}
	return &Observed{
		Value:   value,
		Private: w.GetPrivate(),
		Status:  decodeStatus(w.GetStatus()),
	}, nil
}

func encodeStatus(s Status) *WireStatus {
	w := &WireStatus{Health: s.Health, Address: s.Address, Detail: s.Detail}
	for _, c := range s.Components {
		w.Components = append(w.Components, &WireComponent{Name: c.Name, Health: c.Health, Detail: c.Detail})
	}
	for _, f := range s.Facts {
		w.Facts = append(w.Facts, &WireFact{Name: f.Name, Value: f.Value})
	}
	return w
}

func decodeStatus(w *WireStatus) Status {
	s := Status{Health: w.GetHealth(), Address: w.GetAddress(), Detail: w.GetDetail()}
	for _, c := range w.GetComponents() {
		s.Components = append(s.Components, Component{Name: c.GetName(), Health: c.GetHealth(), Detail: c.GetDetail()})
	}
	for _, f := range w.GetFacts() {
		s.Facts = append(s.Facts, Fact{Name: f.GetName(), Value: f.GetValue()})
	}
	return s
}

// encodeInstanceValues encodes several optional instance values at once, naming the one
// that failed.
func encodeInstanceValues(named map[string]*InstanceValue) (map[string]*WireInstanceValue, error) {
	out := make(map[string]*WireInstanceValue, len(named))
	for name, iv := range named {
		w, err := EncodeInstanceValue(iv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = w
	}
	return out, nil
}

// decodeInstanceValues is the inverse of encodeInstanceValues.
func decodeInstanceValues(named map[string]*WireInstanceValue) (map[string]*InstanceValue, error) {
	out := make(map[string]*InstanceValue, len(named))
	for name, w := range named {
		iv, err := DecodeInstanceValue(w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = iv
	}
	return out, nil
}
