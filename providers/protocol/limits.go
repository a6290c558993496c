package protocol

// MaxMessageSize bounds one gRPC message in either direction. gRPC's default of 4 MiB is
// too small for a bulk Observe: every instance value carries its runtime type, about 2 KiB
// for a WAF, so a provider managing a few thousand appliances would exceed it.
const MaxMessageSize = 256 << 20

// WindowSize is the HTTP/2 flow-control window, per stream and per connection, of both
// sides. With gRPC's 64 KiB start (grown later by its bandwidth estimate) a 1 MB bulk
// Observe waited for a dozen window updates on its way over the local socket: 13 to 18
// ms of a no-change plan of 200 containers. The peer is a local process, so the window
// only bounds what one side may buffer for the other.
const WindowSize = 16 << 20
