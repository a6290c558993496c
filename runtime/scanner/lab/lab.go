// Package lab builds a small network of real hosts on this machine for the scanner's tests
// and benchmark: one network namespace per host, joined to the root namespace by a veth
// pair, running real services from Debian packages (sshd, nginx, redis-server, postgresql)
// with their own configuration and data under the lab's directory. Nothing is installed
// system-wide and nothing listens outside the namespaces; Close kills every process the lab
// started (by process group id) and deletes its namespaces. It needs root (ip netns).
package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Lab is a set of namespaced hosts.
type Lab struct {
	ID  string
	Dir string
	// Logf reports progress; nil is silent.
	Logf func(format string, args ...any)

	mu        sync.Mutex
	subnet    [3]byte // 10.x.y: host i gets 10.x.y.(4i+2), the root side 4i+1
	hosts     []*Host
	processes []*Process
	closed    bool
}

// Host is one namespace with one address.
type Host struct {
	Name      string
	Namespace string
	Addr      netip.Addr
	// Open are the ports services were started on (the ports a scan must find open).
	Open []uint16
	Dir  string

	lab   *Lab
	index int
	veth  string
}

// New prepares an empty lab whose files live under dir.
func New(dir string) (*Lab, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("the scanner lab needs root (it creates network namespaces with ip netns): run the tests as root")
	}
	for _, tool := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not found: apt-get install iproute2 iptables", tool)
		}
	}
	var id [3]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	l := &Lab{ID: hex.EncodeToString(id[:2]), Dir: dir}
	subnet, err := freeSubnet(id)
	if err != nil {
		return nil, err
	}
	l.subnet = subnet
	return l, nil
}

// freeSubnet picks a 10.x.y.0/24 that no route of this machine covers yet.
func freeSubnet(seed [3]byte) ([3]byte, error) {
	out, err := exec.Command("ip", "-4", "route", "show", "table", "all").Output()
	if err != nil {
		return [3]byte{}, fmt.Errorf("ip route: %w", err)
	}
	routes := string(out)
	for i := range 64 {
		s := [3]byte{10, 200 + (seed[0]+byte(i))%50, seed[1] + byte(i)*7}
		prefix := fmt.Sprintf("%d.%d.%d.", s[0], s[1], s[2])
		if !strings.Contains(routes, prefix) {
			return s, nil
		}
	}
	return [3]byte{}, errors.New("no free 10.x.y.0/24 subnet for the lab")
}

func (l *Lab) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf(format, args...)
	}
}

// AddHost creates a namespace named after the lab and host, with lo up and a veth pair to
// the root namespace on a /30 of the lab's subnet.
func (l *Lab) AddHost(ctx context.Context, name string) (*Host, error) {
	l.mu.Lock()
	i := len(l.hosts)
	if i >= 60 {
		l.mu.Unlock()
		return nil, errors.New("a lab holds at most 60 hosts")
	}
	h := &Host{
		Name: name, Namespace: fmt.Sprintf("rampart-lab-%s-%s", l.ID, name),
		lab: l, index: i, veth: fmt.Sprintf("rl%s%02d", l.ID, i),
		Addr: netip.AddrFrom4([4]byte{l.subnet[0], l.subnet[1], l.subnet[2], byte(4*i + 2)}),
		Dir:  l.Dir + "/" + name,
	}
	l.hosts = append(l.hosts, h)
	l.mu.Unlock()
	if err := os.MkdirAll(h.Dir, 0o755); err != nil {
		return nil, err
	}
	rootSide := netip.AddrFrom4([4]byte{l.subnet[0], l.subnet[1], l.subnet[2], byte(4*i + 1)})
	peer := h.veth + "p"
	steps := [][]string{
		{"ip", "netns", "add", h.Namespace},
		{"ip", "-n", h.Namespace, "link", "set", "lo", "up"},
		{"ip", "link", "add", h.veth, "type", "veth", "peer", "name", peer},
		{"ip", "link", "set", peer, "netns", h.Namespace},
		{"ip", "addr", "add", rootSide.String() + "/30", "dev", h.veth},
		{"ip", "link", "set", h.veth, "up"},
		{"ip", "-n", h.Namespace, "addr", "add", h.Addr.String() + "/30", "dev", peer},
		{"ip", "-n", h.Namespace, "link", "set", peer, "up"},
		{"ip", "-n", h.Namespace, "route", "add", "default", "via", rootSide.String()},
	}
	for _, step := range steps {
		if err := run(ctx, step...); err != nil {
			return nil, fmt.Errorf("lab host %s: %w", name, err)
		}
	}
	l.logf("lab: host %s at %s (namespace %s)", name, h.Addr, h.Namespace)
	return h, nil
}

// Exec runs a command inside the host's namespace and waits for it.
func (h *Host) Exec(ctx context.Context, args ...string) error {
	return run(ctx, append([]string{"ip", "netns", "exec", h.Namespace}, args...)...)
}

// Hosts lists the lab's hosts in creation order.
func (l *Lab) Hosts() []*Host {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Host(nil), l.hosts...)
}

// Host returns the host named name, or nil.
func (l *Lab) Host(name string) *Host {
	for _, h := range l.Hosts() {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Close stops every process the lab started and deletes its namespaces (which deletes the
// veth pairs with them). It is safe to call more than once.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	processes, hosts := l.processes, l.hosts
	l.mu.Unlock()
	var errs []error
	for _, p := range processes {
		if err := p.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, h := range hosts {
		_ = run(context.Background(), "ip", "link", "del", h.veth) // gone already if the namespace was made
		if err := run(context.Background(), "ip", "netns", "del", h.Namespace); err != nil && !strings.Contains(err.Error(), "No such file") {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func run(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
