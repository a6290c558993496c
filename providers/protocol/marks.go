package protocol

// SensitiveMark is the cty mark carried by sensitive values everywhere in rampart: in the
// engine, in plans and across the plugin protocol (see DynamicValue in rampart.proto).
const SensitiveMark = "sensitive"
