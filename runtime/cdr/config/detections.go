package config

// The detection and findings settings. The detection engineer fills these types in (with
// their defaults and validation, in this file); config.go only refers to them.

// Detections tunes the detectors (thresholds, windows, indicator files).
type Detections struct{}

// Findings says where findings go (JSON log, syslog, webhook, ASFF file, SNS) and how
// duplicates are suppressed, plus the remediation hook.
type Findings struct{}
