package sdk

import (
	"context"
	"sync"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// observeParallelism bounds the concurrent Read calls made for a placement that cannot
// observe in bulk: enough to hide latency, few enough not to flood a Docker daemon or a
// hypervisor API.
const observeParallelism = 8

// Observe implements protocol.Provider: a placement that implements Observer gets the
// whole request; any other is read instance by instance.
func (s *server) Observe(ctx context.Context, req *protocol.ObserveRequest) (resp *protocol.ObserveResponse) {
	defer func() {
		if d := s.recovered("Observe", recover()); d != nil {
			resp = &protocol.ObserveResponse{Diagnostics: d}
		}
	}()
	pl, diags := s.placement(req.Placement)
	if diags.HasErrors() {
		return &protocol.ObserveResponse{Diagnostics: diags}
	}
	if observer, ok := pl.(Observer); ok {
		ctx, cancel := s.callContext(ctx)
		defer cancel()
		if resp = observer.Observe(ctx, req); resp == nil {
			return &protocol.ObserveResponse{Diagnostics: s.noResponse("Observe", req.Placement)}
		}
		return resp
	}
	return s.observeByReading(ctx, req)
}

// observeByReading calls Read for every instance, at most observeParallelism at a time.
// Read is the server's own, so each call is routed and panic-safe on its own goroutine.
func (s *server) observeByReading(ctx context.Context, req *protocol.ObserveRequest) *protocol.ObserveResponse {
	results := make([]*protocol.ReadResponse, len(req.Instances))
	slots := make(chan struct{}, observeParallelism)
	var wg sync.WaitGroup
	for i, inst := range req.Instances {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() {
				<-slots
				wg.Done()
			}()
			readReq := &protocol.ReadRequest{Instance: inst.Instance, Current: inst.Prior, Private: inst.Private}
			readReq.Instance.Placement = req.Placement
			results[i] = s.Read(ctx, readReq)
		}()
	}
	wg.Wait()

	resp := &protocol.ObserveResponse{Observed: make(map[string]*protocol.Observed, len(req.Instances))}
	for i, inst := range req.Instances {
		r := results[i]
		for _, d := range r.Diagnostics {
			// One response carries the diagnostics of many instances: say which one.
			d.Detail = inst.Instance.Address + ": " + d.Detail
			resp.Diagnostics = append(resp.Diagnostics, d)
		}
		observed := r.Observed
		if r.Diagnostics.HasErrors() && observed.Value == nil {
			// A failed read says nothing about existence, but a nil value would mean
			// "gone" and plan a needless re-create: report the prior value instead.
			prior := inst.Prior
			observed = protocol.Observed{Value: &prior, Private: inst.Private, Status: protocol.Status{Health: "unknown"}}
		}
		resp.Observed[inst.Instance.Address] = &observed
	}
	return resp
}
