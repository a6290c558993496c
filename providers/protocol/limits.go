package protocol

// MaxMessageSize bounds one gRPC message in either direction. gRPC's default of 4 MiB is
// too small for a bulk Observe: every instance value carries its runtime type, about 2 KiB
// for a WAF, so a provider managing a few thousand appliances would exceed it.
const MaxMessageSize = 256 << 20
