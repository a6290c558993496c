package docker

import (
	"context"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

// inspections runs the container inspects of one refresh, at most inspectParallelism at
// a time, each container once, and hands every result to whoever asks for it.
//
// Observe starts inspecting the containers state records before its list call answers:
// when nothing changed (the usual plan) those are exactly the containers the list then
// names, and the engine's latency for the list and for the inspects overlaps instead of
// adding up. An inspect the list makes useless (the container is gone, or another one
// took its place) is only wasted work; its result is never used for another container.
type inspections struct {
	ctx   context.Context
	cli   *client.Client
	slots chan struct{}

	mu   sync.Mutex
	byID map[string]*inspection
}

// inspection is the result of inspecting one container; done is closed once it is set.
type inspection struct {
	done chan struct{}
	info container.InspectResponse
	err  error
}

func newInspections(ctx context.Context, cli *client.Client) *inspections {
	return &inspections{ctx: ctx, cli: cli, slots: make(chan struct{}, inspectParallelism), byID: map[string]*inspection{}}
}

// start begins inspecting container id in the background, unless that is already under
// way or done.
func (s *inspections) start(id string) *inspection {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.byID[id]; ok {
		return in
	}
	in := &inspection{done: make(chan struct{})}
	s.byID[id] = in
	go func() {
		defer close(in.done)
		select {
		case s.slots <- struct{}{}:
		case <-s.ctx.Done():
			in.err = s.ctx.Err()
			return
		}
		defer func() { <-s.slots }()
		in.info, in.err = s.cli.ContainerInspect(s.ctx, id)
	}()
	return in
}

// result returns what inspecting container id gave, starting it if need be.
func (s *inspections) result(id string) (container.InspectResponse, error) {
	in := s.start(id)
	<-in.done
	return in.info, in.err
}
