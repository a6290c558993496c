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
		Status:  &WireStatus{Health: o.Status.Health, Address: o.Status.Address, Detail: o.Status.Detail},
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
	st := w.GetStatus()
	return &Observed{
		Value:   value,
		Private: w.GetPrivate(),
		Status:  Status{Health: st.GetHealth(), Address: st.GetAddress(), Detail: st.GetDetail()},
	}, nil
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
