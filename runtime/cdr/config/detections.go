package config

// The detection and findings settings of rampart-cdr.
//
// Config.ApplyDefaults must call (config.go calls these):
//
//	if c.Detections == nil { c.Detections = &Detections{} }
//	c.Detections.ApplyDefaults()
//	if c.Findings == nil { c.Findings = &Findings{} }
//	c.Findings.ApplyDefaults()
//
// Config.Validate must call:
//
//	errs = append(errs, c.Detections.Validate("detections"), c.Findings.Validate("findings"))
//
// (both accept a nil receiver and return nil then). Everything here can change on reload.

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Detections tunes the detectors: thresholds, windows and indicator files. Each block is
// optional; a missing block means "on, with the defaults" and `disabled = true` turns a
// detector off.
type Detections struct {
	Scan       *ScanDetection      `json:"scan,omitempty" hcl:"scan,block"`
	Miner      *MinerDetection     `json:"miner,omitempty" hcl:"miner,block"`
	Beacon     *BeaconDetection    `json:"beacon,omitempty" hcl:"beacon,block"`
	DGA        *DGADetection       `json:"dga,omitempty" hcl:"dga,block"`
	DNSTunnel  *DNSTunnelDetection `json:"dns_tunnel,omitempty" hcl:"dns_tunnel,block"`
	Indicators *Indicators         `json:"indicators,omitempty" hcl:"indicators,block"`
}

// ScanDetection finds port and address scans: a source whose connection attempts to
// unique (host, port) pairs went unanswered or were reset. Defaults follow Zeek's scan
// policy (25 unique pairs remembered for 15 minutes).
type ScanDetection struct {
	Disabled bool `json:"disabled,omitempty" hcl:"disabled,optional"`
	// Threshold is how many unique failed (host, port) pairs make a scan; default 25.
	Threshold int `json:"threshold,omitempty" hcl:"threshold,optional"`
	// Window is how long a failed attempt is remembered; default "15m".
	Window string `json:"window,omitempty" hcl:"window,optional"`
	// MaxSources bounds the memory: sources tracked at once; default 100000.
	MaxSources int `json:"max_sources,omitempty" hcl:"max_sources,optional"`
}

// MinerDetection finds coin-mining protocols (stratum, Monero login/job/submit,
// getblocktemplate) and transfers of known miner binaries.
type MinerDetection struct {
	Disabled bool `json:"disabled,omitempty" hcl:"disabled,optional"`
	// Signatures is a file of miner-binary byte patterns; empty means the bundled list
	// (runtime/cdr/detect/miner/signatures.txt explains the format).
	Signatures string `json:"signatures,omitempty" hcl:"signatures,optional"`
	// ProtocolBytes is how many bytes at the start of each flow direction are searched for
	// mining protocols; default 16384.
	ProtocolBytes int `json:"protocol_bytes,omitempty" hcl:"protocol_bytes,optional"`
	// BinaryBytes is how many bytes of a flow that carries an executable (ELF or PE magic)
	// are searched for miner signatures; default 33554432 (32 MiB).
	BinaryBytes int `json:"binary_bytes,omitempty" hcl:"binary_bytes,optional"`
	// MaxFlows bounds the flows inspected at once; default 65536.
	MaxFlows int `json:"max_flows,omitempty" hcl:"max_flows,optional"`
}

// BeaconDetection scores the regularity of connections per source → destination pair.
type BeaconDetection struct {
	Disabled bool `json:"disabled,omitempty" hcl:"disabled,optional"`
	// Threshold is the score (0-1) that makes a beacon finding; default 0.85. A steady
	// 60 s ± 10% beacon scores above 0.9; Poisson-timed traffic scores below 0.75.
	Threshold float64 `json:"threshold,omitempty" hcl:"threshold,optional"`
	// MinConnections is the fewest connections scored; default 20.
	MinConnections int `json:"min_connections,omitempty" hcl:"min_connections,optional"`
	// Window is how long a pair's connections are remembered; default "24h".
	Window string `json:"window,omitempty" hcl:"window,optional"`
	// ScoreEvery is how often (in traffic time) pairs are scored; default "10m".
	ScoreEvery string `json:"score_every,omitempty" hcl:"score_every,optional"`
	// MaxPairs bounds the pairs tracked; default 20000.
	MaxPairs int `json:"max_pairs,omitempty" hcl:"max_pairs,optional"`
	// MaxSamples bounds the connections remembered per pair (the newest are kept); default 1440.
	MaxSamples int `json:"max_samples,omitempty" hcl:"max_samples,optional"`
}

// DGADetection finds clients resolving algorithmically generated domain names.
type DGADetection struct {
	Disabled bool `json:"disabled,omitempty" hcl:"disabled,optional"`
	// MinNames is how many unique DGA-like names one client must resolve in Window; default 10.
	// Half as many suffice when at least half of the client's lookups fail with NXDOMAIN.
	MinNames int `json:"min_names,omitempty" hcl:"min_names,optional"`
	// Window is the sliding window; default "1h".
	Window string `json:"window,omitempty" hcl:"window,optional"`
	// MaxClients bounds the memory; default 50000.
	MaxClients int `json:"max_clients,omitempty" hcl:"max_clients,optional"`
}

// DNSTunnelDetection finds data carried in DNS names to one domain.
type DNSTunnelDetection struct {
	Disabled bool `json:"disabled,omitempty" hcl:"disabled,optional"`
	// UniqueNames is how many unique names under one domain, from one client in Window,
	// start to look like a tunnel (with long labels or TXT/NULL queries); default 50.
	UniqueNames int `json:"unique_names,omitempty" hcl:"unique_names,optional"`
	// LongLabel is the label length counted as long; default 24.
	LongLabel int `json:"long_label,omitempty" hcl:"long_label,optional"`
	// MaxBytes is the volume of subdomain text to one domain in Window that is a tunnel
	// whatever its shape; default 65536.
	MaxBytes int `json:"max_bytes,omitempty" hcl:"max_bytes,optional"`
	// Window is the sliding window; default "10m".
	Window string `json:"window,omitempty" hcl:"window,optional"`
	// MaxDomains bounds the (client, domain) pairs tracked; default 50000.
	MaxDomains int `json:"max_domains,omitempty" hcl:"max_domains,optional"`
}

// Indicators are files of known-bad IPs, domains and JA3 TLS fingerprints, one per line
// ("#" starts a comment). They are re-read on reload.
type Indicators struct {
	IPs     []string `json:"ips,omitempty" hcl:"ips,optional"`
	Domains []string `json:"domains,omitempty" hcl:"domains,optional"`
	JA3     []string `json:"ja3,omitempty" hcl:"ja3,optional"`
}

// Detection defaults (documented in runtime/cdr/detect/README.md).
const (
	DefaultScanThreshold       = 25
	DefaultScanWindow          = "15m"
	DefaultScanMaxSources      = 100000
	DefaultMinerProtocolBytes  = 16384
	DefaultMinerBinaryBytes    = 32 << 20
	DefaultMinerMaxFlows       = 65536
	DefaultBeaconThreshold     = 0.85
	DefaultBeaconMinConns      = 20
	DefaultBeaconWindow        = "24h"
	DefaultBeaconScoreEvery    = "10m"
	DefaultBeaconMaxPairs      = 20000
	DefaultBeaconMaxSamples    = 1440
	DefaultDGAMinNames         = 10
	DefaultDGAWindow           = "1h"
	DefaultDGAMaxClients       = 50000
	DefaultTunnelUniqueNames   = 50
	DefaultTunnelLongLabel     = 24
	DefaultTunnelMaxBytes      = 65536
	DefaultTunnelWindow        = "10m"
	DefaultTunnelMaxDomains    = 50000
	DefaultFindingsSuppressFor = "1h"
	DefaultFindingsQueue       = 4096
	DefaultWebhookTimeout      = "5s"
	DefaultWebhookRetries      = 3
	DefaultRemediationTimeout  = "30s"
)

// ApplyDefaults fills every unset threshold. A nil receiver is allowed (nothing to do).
func (d *Detections) ApplyDefaults() {
	if d == nil {
		return
	}
	if d.Scan == nil {
		d.Scan = &ScanDetection{}
	}
	defaultInt(&d.Scan.Threshold, DefaultScanThreshold)
	defaultString(&d.Scan.Window, DefaultScanWindow)
	defaultInt(&d.Scan.MaxSources, DefaultScanMaxSources)

	if d.Miner == nil {
		d.Miner = &MinerDetection{}
	}
	defaultInt(&d.Miner.ProtocolBytes, DefaultMinerProtocolBytes)
	defaultInt(&d.Miner.BinaryBytes, DefaultMinerBinaryBytes)
	defaultInt(&d.Miner.MaxFlows, DefaultMinerMaxFlows)

	if d.Beacon == nil {
		d.Beacon = &BeaconDetection{}
	}
	if d.Beacon.Threshold == 0 {
		d.Beacon.Threshold = DefaultBeaconThreshold
	}
	defaultInt(&d.Beacon.MinConnections, DefaultBeaconMinConns)
	defaultString(&d.Beacon.Window, DefaultBeaconWindow)
	defaultString(&d.Beacon.ScoreEvery, DefaultBeaconScoreEvery)
	defaultInt(&d.Beacon.MaxPairs, DefaultBeaconMaxPairs)
	defaultInt(&d.Beacon.MaxSamples, DefaultBeaconMaxSamples)

	if d.DGA == nil {
		d.DGA = &DGADetection{}
	}
	defaultInt(&d.DGA.MinNames, DefaultDGAMinNames)
	defaultString(&d.DGA.Window, DefaultDGAWindow)
	defaultInt(&d.DGA.MaxClients, DefaultDGAMaxClients)

	if d.DNSTunnel == nil {
		d.DNSTunnel = &DNSTunnelDetection{}
	}
	defaultInt(&d.DNSTunnel.UniqueNames, DefaultTunnelUniqueNames)
	defaultInt(&d.DNSTunnel.LongLabel, DefaultTunnelLongLabel)
	defaultInt(&d.DNSTunnel.MaxBytes, DefaultTunnelMaxBytes)
	defaultString(&d.DNSTunnel.Window, DefaultTunnelWindow)
	defaultInt(&d.DNSTunnel.MaxDomains, DefaultTunnelMaxDomains)

	if d.Indicators == nil {
		d.Indicators = &Indicators{}
	}
}

// Validate checks the detection settings; path is the field path of d ("detections").
// A nil receiver is valid.
func (d *Detections) Validate(path string) error {
	if d == nil {
		return nil
	}
	v := &detectionChecks{}
	if s := d.Scan; s != nil {
		p := path + ".scan"
		v.atLeast(p+".threshold", s.Threshold, 0)
		v.duration(p+".window", s.Window)
		v.atLeast(p+".max_sources", s.MaxSources, 0)
	}
	if m := d.Miner; m != nil {
		p := path + ".miner"
		v.atLeast(p+".protocol_bytes", m.ProtocolBytes, 0)
		v.atLeast(p+".binary_bytes", m.BinaryBytes, 0)
		v.atLeast(p+".max_flows", m.MaxFlows, 0)
	}
	if b := d.Beacon; b != nil {
		p := path + ".beacon"
		if b.Threshold < 0 || b.Threshold > 1 {
			v.bad(p+".threshold", "%v is not a score between 0 and 1; 0.85 separates steady beacons from random traffic", b.Threshold)
		}
		if b.MinConnections != 0 && b.MinConnections < 4 {
			v.bad(p+".min_connections", "%d is too few to measure regularity; use at least 4 (default %d)", b.MinConnections, DefaultBeaconMinConns)
		}
		v.duration(p+".window", b.Window)
		v.duration(p+".score_every", b.ScoreEvery)
		v.atLeast(p+".max_pairs", b.MaxPairs, 0)
		v.atLeast(p+".max_samples", b.MaxSamples, 0)
	}
	if g := d.DGA; g != nil {
		p := path + ".dga"
		v.atLeast(p+".min_names", g.MinNames, 0)
		v.duration(p+".window", g.Window)
		v.atLeast(p+".max_clients", g.MaxClients, 0)
	}
	if t := d.DNSTunnel; t != nil {
		p := path + ".dns_tunnel"
		v.atLeast(p+".unique_names", t.UniqueNames, 0)
		v.atLeast(p+".long_label", t.LongLabel, 0)
		v.atLeast(p+".max_bytes", t.MaxBytes, 0)
		v.duration(p+".window", t.Window)
		v.atLeast(p+".max_domains", t.MaxDomains, 0)
	}
	if in := d.Indicators; in != nil {
		p := path + ".indicators"
		v.paths(p+".ips", in.IPs)
		v.paths(p+".domains", in.Domains)
		v.paths(p+".ja3", in.JA3)
	}
	return errors.Join(v.errs...)
}

// Findings says where findings go and how duplicates are suppressed, plus the
// remediation hook. With no destination configured, findings go to the JSON log on stdout.
type Findings struct {
	// JSONLog is a file that receives one JSON document per line per finding; "-" means stdout.
	JSONLog string `json:"json_log,omitempty" hcl:"json_log,optional"`
	// Syslog is udp://host:port, tcp://host:port or tls://host:port (RFC 5424).
	Syslog string `json:"syslog,omitempty" hcl:"syslog,optional"`
	// Webhook POSTs each finding as JSON.
	Webhook *Webhook `json:"webhook,omitempty" hcl:"webhook,block"`
	// ASFF writes findings in AWS Security Hub's format to a file and/or an SNS topic.
	ASFF *ASFF `json:"asff,omitempty" hcl:"asff,block"`
	// SuppressFor is how long a repeat of the same finding (type, source, destination) is
	// folded into the first instead of published again; default "1h", "0s" disables.
	SuppressFor string `json:"suppress_for,omitempty" hcl:"suppress_for,optional"`
	// MinSeverity drops findings below this severity (0-10); default 0.
	MinSeverity int `json:"min_severity,omitempty" hcl:"min_severity,optional"`
	// Queue is how many findings may wait for the destinations before new ones are
	// dropped (and counted); default 4096. Publishing never blocks packet processing.
	Queue int `json:"queue,omitempty" hcl:"queue,optional"`
	// Remediation runs a command or calls a webhook with each finding.
	Remediation *Remediation `json:"remediation,omitempty" hcl:"remediation,block"`
}

// Webhook is an HTTP endpoint that receives findings.
type Webhook struct {
	URL string `json:"url" hcl:"url,required"`
	// BearerToken is sent as "Authorization: Bearer ..." when set.
	BearerToken string `json:"bearer_token,omitempty" hcl:"bearer_token,optional" sensitive:"true"`
	// Timeout bounds each attempt; default "5s".
	Timeout string `json:"timeout,omitempty" hcl:"timeout,optional"`
	// Retries is how many times a failed POST is retried; default 3.
	Retries int `json:"retries,omitempty" hcl:"retries,optional"`
}

// ASFF is AWS Security Hub output.
type ASFF struct {
	// File receives one ASFF JSON document per line.
	File string `json:"file,omitempty" hcl:"file,optional"`
	// SNSTopicARN publishes each ASFF document to this topic.
	SNSTopicARN string `json:"sns_topic_arn,omitempty" hcl:"sns_topic_arn,optional"`
	// Region of the topic; default: the region in the topic ARN.
	Region string `json:"region,omitempty" hcl:"region,optional"`
	// AccountID is the AWS account of the findings; default: the account in the topic ARN.
	AccountID string `json:"account_id,omitempty" hcl:"account_id,optional"`
	// Endpoint overrides the SNS endpoint (VPC endpoints, tests).
	Endpoint string `json:"endpoint,omitempty" hcl:"endpoint,optional"`
}

// Remediation runs an action for each finding at or above MinSeverity.
type Remediation struct {
	// Command is run directly (no shell) with the finding as JSON on stdin.
	Command []string `json:"command,omitempty" hcl:"command,optional"`
	// WebhookURL is POSTed the finding as JSON.
	WebhookURL string `json:"webhook_url,omitempty" hcl:"webhook_url,optional"`
	// Types limits the action to these finding types (empty: all).
	Types []string `json:"types,omitempty" hcl:"types,optional"`
	// MinSeverity is the lowest severity acted on; default 0.
	MinSeverity int `json:"min_severity,omitempty" hcl:"min_severity,optional"`
	// Timeout bounds each run; default "30s".
	Timeout string `json:"timeout,omitempty" hcl:"timeout,optional"`
}

// ApplyDefaults fills unset fields. A nil receiver is allowed.
func (f *Findings) ApplyDefaults() {
	if f == nil {
		return
	}
	defaultString(&f.SuppressFor, DefaultFindingsSuppressFor)
	defaultInt(&f.Queue, DefaultFindingsQueue)
	if f.JSONLog == "" && f.Syslog == "" && f.Webhook == nil && f.ASFF == nil {
		f.JSONLog = "-"
	}
	if w := f.Webhook; w != nil {
		defaultString(&w.Timeout, DefaultWebhookTimeout)
		defaultInt(&w.Retries, DefaultWebhookRetries)
	}
	if r := f.Remediation; r != nil {
		defaultString(&r.Timeout, DefaultRemediationTimeout)
	}
}

// Validate checks the findings settings; path is the field path of f ("findings").
func (f *Findings) Validate(path string) error {
	if f == nil {
		return nil
	}
	v := &detectionChecks{}
	if f.Syslog != "" {
		u, err := url.Parse(f.Syslog)
		if err != nil || (u.Scheme != "udp" && u.Scheme != "tcp" && u.Scheme != "tls") || u.Host == "" || u.Port() == "" {
			v.bad(path+".syslog", "%q is not udp://host:port, tcp://host:port or tls://host:port", f.Syslog)
		}
	}
	v.duration(path+".suppress_for", f.SuppressFor)
	if f.MinSeverity < 0 || f.MinSeverity > 10 {
		v.bad(path+".min_severity", "%d is not in 0-10", f.MinSeverity)
	}
	v.atLeast(path+".queue", f.Queue, 0)
	if w := f.Webhook; w != nil {
		v.httpURL(path+".webhook.url", w.URL)
		v.duration(path+".webhook.timeout", w.Timeout)
		v.atLeast(path+".webhook.retries", w.Retries, 0)
	}
	if a := f.ASFF; a != nil {
		p := path + ".asff"
		if a.File == "" && a.SNSTopicARN == "" {
			v.bad(p, "set file or sns_topic_arn (or both), or remove the block")
		}
		if a.SNSTopicARN != "" {
			parts := strings.Split(a.SNSTopicARN, ":")
			if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" {
				v.bad(p+".sns_topic_arn", "%q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", a.SNSTopicARN)
			}
		}
		if a.SNSTopicARN == "" && a.AccountID == "" {
			v.bad(p+".account_id", "set the AWS account id the findings belong to (ASFF requires AwsAccountId)")
		}
		if a.Endpoint != "" {
			v.httpURL(p+".endpoint", a.Endpoint)
		}
	}
	if r := f.Remediation; r != nil {
		p := path + ".remediation"
		if len(r.Command) == 0 && r.WebhookURL == "" {
			v.bad(p, "set command or webhook_url, or remove the block")
		}
		if len(r.Command) > 0 && r.Command[0] == "" {
			v.bad(p+".command", "the first element must be the program to run")
		}
		if r.WebhookURL != "" {
			v.httpURL(p+".webhook_url", r.WebhookURL)
		}
		v.duration(p+".timeout", r.Timeout)
	}
	return errors.Join(v.errs...)
}

// DurationOr parses a validated duration setting, returning def when it is empty.
// Callers use it after Validate, so a parse error cannot happen; def guards it anyway.
func DurationOr(s string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		return def
	}
	return d
}

// detectionChecks gathers errors that name the field path.
type detectionChecks struct{ errs []error }

func (v *detectionChecks) bad(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func (v *detectionChecks) atLeast(path string, n, min int) {
	if n < min {
		v.bad(path, "%d is negative; leave it unset for the default", n)
	}
}

func (v *detectionChecks) duration(path, s string) {
	if s == "" {
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		v.bad(path, "%q is not a duration such as \"30s\", \"15m\" or \"24h\"", s)
	}
}

func (v *detectionChecks) paths(path string, files []string) {
	for i, f := range files {
		if strings.TrimSpace(f) == "" {
			v.bad(fmt.Sprintf("%s[%d]", path, i), "empty file name; give the path of a list file")
		}
	}
}

func (v *detectionChecks) httpURL(path, s string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.bad(path, "%q is not an http:// or https:// URL", s)
	}
}

func defaultInt(p *int, def int) {
	if *p == 0 {
		*p = def
	}
}

func defaultString(p *string, def string) {
	if *p == "" {
		*p = def
	}
}
