package config

// The cache port's settings (TLS interception, the in-memory cache and patch mode). The
// gateway cache engineer fills these types in; config.go only refers to them.

// CA says which certificate authority the cache port signs intercepted hosts with.
type CA struct{}

// Cache configures the in-memory object cache of the cache port.
type Cache struct{}

// Patch configures patch mode: large files cached on a second disk.
type Patch struct{}
