// Package plugin finds, verifies, launches and supervises provider plugin processes.
//
// A provider is a separate executable named rampart-provider-<name>. The engine reaches
// it only through the go-plugin gRPC protocol of providers/protocol, built-in providers
// included. This package:
//
//   - discovers plugin executables (Discover),
//   - records and checks their checksums in .rampart.lock.hcl (Lockfile),
//   - starts one process per provider configuration and wraps it as a protocol.Provider
//     that turns a crash of the process into one clear diagnostic (Start, Client, IsCrash),
//   - caches provider schemas on disk, keyed by the plugin's checksum (CachedSchema).
package plugin
