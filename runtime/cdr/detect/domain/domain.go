// Package domain splits DNS names into the registered domain and the subdomain part without
// a public-suffix database: the last label is the top-level domain, and a short second
// label under a two-letter country code (co.uk, com.au, ac.jp, ...) is part of the suffix.
// That is right for the names detectors care about and never allocates.
package domain

import "strings"

// secondLevel are second-level labels used as public suffixes under country codes.
var secondLevel = map[string]bool{
	"co": true, "com": true, "net": true, "org": true, "gov": true, "ac": true, "edu": true,
	"or": true, "ne": true, "go": true, "gv": true, "mil": true, "nic": true, "ltd": true, "plc": true,
}

// Split returns the registered domain ("example.co.uk"), its main label ("example") and the
// subdomain part ("www.mail" of "www.mail.example.co.uk"). name must be lower case without a
// trailing dot. A name with one label is its own registered domain.
func Split(name string) (registered, label, sub string) {
	last := strings.LastIndexByte(name, '.')
	if last < 0 {
		return name, name, ""
	}
	tld := name[last+1:]
	start := strings.LastIndexByte(name[:last], '.') + 1 // start of the second-level label
	if len(tld) == 2 && start > 0 && secondLevel[name[start:last]] {
		start = strings.LastIndexByte(name[:start-1], '.') + 1
	}
	registered = name[start:]
	if dot := strings.IndexByte(registered, '.'); dot >= 0 {
		label = registered[:dot]
	} else {
		label = registered
	}
	if start > 0 {
		sub = name[:start-1]
	}
	return registered, label, sub
}
