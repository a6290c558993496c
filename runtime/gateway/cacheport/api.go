// Package cacheport is the gateway's cache port (default 8080): an explicit HTTP proxy that
// intercepts CONNECT tunnels with certificates minted by the appliance's CA, serves
// responses from an in-memory cache (collapsed forwarding: one upstream fetch however many
// clients ask), and in patch mode keeps large files on a second disk and serves ranges of
// them.
//
// The gateway runtime (runtime/gateway) owns the listener, the policy and the upstream
// dialer, and hands them in through Options.
package cacheport

import (
	"context"
	"log/slog"
	"net"
	"net/netip"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

// Options is what the gateway runtime gives the cache port.
type Options struct {
	// Config is the whole gateway configuration (ca, cache and patch blocks are read).
	Config *config.Config
	// Dial connects to origins: upstream proxy chaining and static host mappings live
	// there. Nil means a plain net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Check is the domain policy: a nil error allows host:port. Nil allows nothing (fail
	// closed). Patch mode bypasses it for clients on patch.allowed_clients.
	Check func(host string, port int) error
	// OnClient is told the address of every client request (active agents statistic).
	OnClient func(ip netip.Addr)
	Logger   *slog.Logger
	// DataDir is where the appliance-level CA is generated on first start and kept.
	DataDir string
	// TLSMinVersion overrides Config.TLSMinVersion, the lowest TLS version offered to
	// clients ("1.0" to "1.3"; default "1.2").
	TLSMinVersion string
	// MemoryLimit is the memory limit the cache size is a share of; 0 reads the cgroup
	// limit (v2, then v1), else the host's RAM.
	MemoryLimit int64
}

// Stats are the cache port's counters since start.
type Stats struct {
	Hits           uint64 // requests answered from the memory cache or the patch store
	Misses         uint64 // requests that went to the origin
	BytesFromCache uint64 // body bytes sent to clients from the cache
	BytesFetched   uint64 // body bytes received from origins
	// BandwidthSaved is the upstream traffic the cache avoided: bytes served from the cache.
	BandwidthSaved uint64
	Objects        int   // objects in the memory cache
	BytesUsed      int64 // bytes held by the memory cache
	CapacityBytes  int64 // memory cache size
	PatchFiles     int   // files in the patch store
	PatchBytesUsed int64 // bytes in the patch store
	UpstreamErrors uint64
	Denied         uint64 // requests refused by the policy
}
