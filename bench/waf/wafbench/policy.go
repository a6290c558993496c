package main

import "github.com/rampart-sec/rampart/runtime/waf/config"

// benchPolicy holds the rule-engine settings both WAFs run with.
type benchPolicy struct {
	ParanoiaLevel     int
	InboundThreshold  int
	OutboundThreshold int
	RequestBodyLimit  int // bytes
	ArgumentsLimit    int
}

// policy is CRS v4 at PL1 blocking with rampart-waf's defaults for a site
// (runtime/waf/config), so that both engines make the same decisions.
var policy = benchPolicy{
	ParanoiaLevel:     1,
	InboundThreshold:  config.DefaultInboundThreshold,
	OutboundThreshold: config.DefaultOutboundThreshold,
	RequestBodyLimit:  config.DefaultRequestBodyLimit,
	ArgumentsLimit:    config.DefaultArgumentsLimit,
}
