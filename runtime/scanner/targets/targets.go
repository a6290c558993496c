// Package targets turns a job's targets and exclusions (runtime/scanner/config syntax) into
// the list of addresses to scan, resolving host names when the job runs.
package targets

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/rampart-sec/rampart/runtime/scanner/config"
)

// Target is one address to scan, with the name it was given by (for SNI and reports).
type Target struct {
	Addr netip.Addr
	Name string
}

// MaxTargets bounds one job: beyond it the job is refused instead of allocating without end.
const MaxTargets = 1 << 20

// Resolver looks up host names; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Expand lists the addresses of specs minus those of excludes, in order, without duplicates.
// Names resolve to all their IPv4 and IPv6 addresses; a name that does not resolve is an error.
func Expand(ctx context.Context, specs, excludes []string, resolver Resolver) ([]Target, error) {
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	excluded := map[netip.Addr]bool{}
	var excludedRanges []config.TargetSpec
	for _, s := range excludes {
		spec, err := config.ParseTarget(s)
		if err != nil {
			return nil, fmt.Errorf("exclude %q: %w", s, err)
		}
		if spec.Name != "" {
			addrs, err := resolver.LookupNetIP(ctx, "ip", spec.Name)
			if err != nil {
				return nil, fmt.Errorf("exclude %q: resolve: %w", s, err)
			}
			for _, a := range addrs {
				excluded[a.Unmap()] = true
			}
			continue
		}
		excludedRanges = append(excludedRanges, spec)
	}
	isExcluded := func(a netip.Addr) bool {
		if excluded[a] {
			return true
		}
		for _, r := range excludedRanges {
			if r.First.BitLen() == a.BitLen() && !a.Less(r.First) && !r.Last.Less(a) {
				return true
			}
		}
		return false
	}

	seen := map[netip.Addr]bool{}
	var out []Target
	add := func(a netip.Addr, name string) error {
		a = a.Unmap()
		if seen[a] || isExcluded(a) {
			return nil
		}
		if len(out) >= MaxTargets {
			return fmt.Errorf("more than %d targets: split the job", MaxTargets)
		}
		seen[a] = true
		out = append(out, Target{Addr: a, Name: name})
		return nil
	}
	for _, s := range specs {
		spec, err := config.ParseTarget(s)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", s, err)
		}
		if spec.Name != "" {
			addrs, err := resolver.LookupNetIP(ctx, "ip", spec.Name)
			if err != nil {
				return nil, fmt.Errorf("target %q: resolve: %w (check the name, or give an address)", s, err)
			}
			slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
			for _, a := range addrs {
				if err := add(a, spec.Name); err != nil {
					return nil, err
				}
			}
			continue
		}
		for a := spec.First; ; a = a.Next() {
			if err := add(a, ""); err != nil {
				return nil, err
			}
			if a == spec.Last {
				break
			}
		}
	}
	return out, nil
}
