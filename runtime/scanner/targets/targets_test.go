package targets

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

// staticResolver answers from a map, like a hosts file.
type staticResolver map[string][]netip.Addr

func (r staticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestExpand(t *testing.T) {
	resolver := staticResolver{"db.lab": {netip.MustParseAddr("10.0.0.9")}}
	cases := []struct {
		name     string
		specs    []string
		excludes []string
		want     []string
	}{
		{"single", []string{"10.0.0.1"}, nil, []string{"10.0.0.1"}},
		{"cidr", []string{"10.0.0.0/30"}, nil, []string{"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"}},
		{"octet range minus exclusion", []string{"10.0.0.1-4"}, []string{"10.0.0.2-3"}, []string{"10.0.0.1", "10.0.0.4"}},
		{"full range across octets", []string{"10.0.0.254-10.0.1.1"}, nil, []string{"10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"}},
		{"name, duplicates once", []string{"db.lab", "10.0.0.9"}, nil, []string{"10.0.0.9"}},
		{"excluded by name", []string{"10.0.0.8/30"}, []string{"db.lab"}, []string{"10.0.0.8", "10.0.0.10", "10.0.0.11"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Expand(context.Background(), tc.specs, tc.excludes, resolver)
			if err != nil {
				t.Fatal(err)
			}
			var addrs []string
			for _, g := range got {
				addrs = append(addrs, g.Addr.String())
			}
			if len(addrs) != len(tc.want) {
				t.Fatalf("got %v, want %v", addrs, tc.want)
			}
			for i := range addrs {
				if addrs[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", addrs, tc.want)
				}
			}
		})
	}
	if _, err := Expand(context.Background(), []string{"nowhere.lab"}, nil, resolver); err == nil {
		t.Error("an unresolvable name must be an error")
	}
}
