// Package findings is what rampart-cdr reports: the Finding document and the publisher that
// delivers findings to a JSON log, syslog, a webhook, AWS Security Hub (ASFF, to a file or
// SNS) and a remediation hook, with duplicate suppression and a bounded queue so that
// publishing never blocks packet processing.
package findings

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Finding types. Detectors set Type to one of these.
const (
	TypePortScan        = "port_scan"
	TypeAddressScan     = "address_scan"
	TypeRandomScan      = "random_scan"
	TypeCoinMiner       = "coin_miner"
	TypeMinerBinary     = "miner_binary"
	TypeBeacon          = "c2_beacon"
	TypeDGA             = "dga"
	TypeDNSTunnel       = "dns_tunnel"
	TypeIndicatorIP     = "indicator_ip"
	TypeIndicatorDomain = "indicator_domain"
	TypeIndicatorJA3    = "indicator_ja3"
)

// Finding is one detection, as published. Source and Destination are "ip" or "ip:port"
// strings (so the JSON is readable); Evidence holds the detector's figures.
type Finding struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Severity    int            `json:"severity"` // 0-10
	FirstSeen   time.Time      `json:"first_seen"`
	LastSeen    time.Time      `json:"last_seen"`
	Source      string         `json:"source"`
	Destination string         `json:"destination,omitempty"`
	VNI         uint32         `json:"vni,omitempty"`
	ENI         string         `json:"eni,omitempty"`
	Evidence    map[string]any `json:"evidence,omitempty"`
	// Count is how many times this finding was seen (repeats folded in by suppression).
	Count int `json:"count"`
}

// Key identifies "the same finding" for duplicate suppression: type, VNI, source and
// destination.
func (f *Finding) Key() string {
	return f.Type + "|" + strconv.FormatUint(uint64(f.VNI), 10) + "|" + f.Source + "|" + f.Destination
}

// SetID gives the finding a stable id derived from its key and first-seen time, so the
// same finding delivered twice (retries, ASFF updates) keeps its id.
func (f *Finding) SetID() {
	sum := sha256.Sum256([]byte(f.Key() + "|" + f.FirstSeen.UTC().Format(time.RFC3339Nano)))
	f.ID = hex.EncodeToString(sum[:12])
}

// SeverityLabel maps the 0-10 severity to the labels Security Hub and syslog readers use.
func SeverityLabel(severity int) string {
	switch {
	case severity >= 9:
		return "CRITICAL"
	case severity >= 7:
		return "HIGH"
	case severity >= 4:
		return "MEDIUM"
	case severity >= 1:
		return "LOW"
	default:
		return "INFORMATIONAL"
	}
}
