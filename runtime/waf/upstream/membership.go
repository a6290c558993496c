package upstream

import (
	"cmp"
	"log/slog"
	"net"
	"slices"
)

// MemberSpec describes one dynamic member for SetMembers.
type MemberSpec struct {
	Address string // host:port
	Weight  int    // values below 1 mean 1
	// Source says where the member comes from, for the health view: "docker:<container
	// name>" for discovered containers.
	Source string
}

// SetMembers atomically replaces the pool's dynamic members (those from discovery) with
// members; the static members of the configuration are not affected. It is safe to call
// from any goroutine, at any time.
//
//   - A member already present (same address and source) is kept as it is: health state,
//     counters, connections. Only its weight is updated.
//   - A new member starts UP. When the pool has an active health check it is checked at
//     once, and until a first check passes, one failed check takes it DOWN (rather than
//     fall of them): a container that is not ready yet leaves the rotation quickly.
//   - A removed member receives no new request; requests in flight to it complete, and
//     its idle connections are closed once the last one has.
//
// Entries whose address is not host:port are ignored; of duplicates, the first is used.
// A pool whose configuration was replaced (its StartHealthChecks stop was called) ignores
// SetMembers: its members belong to the newer pool now.
func (p *Pool) SetMembers(members []MemberSpec) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	old := p.members.Load()
	current := map[string]*Member{}
	var next []*Member
	for _, m := range old.all {
		if !m.dynamic {
			next = append(next, m) // static members first, in configuration order
			continue
		}
		current[m.key()] = m
	}

	specs := slices.Clone(members)
	// A stable order keeps the round-robin sequence and /status from shuffling when
	// discovery lists containers in a different order.
	slices.SortStableFunc(specs, func(a, b MemberSpec) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Address, b.Address))
	})
	seen := map[string]bool{}
	var added []*Member
	for _, spec := range specs {
		if _, _, err := net.SplitHostPort(spec.Address); err != nil {
			p.log().Warn("pool member ignored: address is not host:port",
				slog.String("pool", p.Name), slog.String("address", spec.Address), slog.String("source", spec.Source))
			continue
		}
		source := spec.Source
		if source == "" {
			source = "dynamic"
		}
		key := memberKey(spec.Address, source, true)
		if seen[key] {
			continue
		}
		seen[key] = true
		prev := current[key]
		switch {
		case prev != nil && prev.Weight == max(spec.Weight, 1):
			next = append(next, prev)
		case prev != nil: // same backend, new weight
			next = append(next, p.memberFor(spec.Address, spec.Weight, source, true, prev))
		default:
			m := p.memberFor(spec.Address, spec.Weight, source, true, nil)
			next = append(next, m)
			added = append(added, m)
		}
	}
	p.members.Store(newMemberSet(next))

	for _, m := range added {
		p.startCheck(m, 0) // a new member is checked at once
		p.log().Info("pool member added", slog.String("pool", p.Name), slog.String("member", m.Address), slog.String("source", m.Source))
	}
	for key, m := range current {
		if seen[key] {
			continue
		}
		p.stopCheck(m)
		m.b.release() // drains: in-flight requests finish, then idle connections close
		p.log().Info("pool member removed", slog.String("pool", p.Name), slog.String("member", m.Address), slog.String("source", m.Source))
	}
}
