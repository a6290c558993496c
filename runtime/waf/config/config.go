// Package config is the contract between the engine and rampart-waf: the one definition of
// what the WAF runtime accepts. The schema package decodes the HCL `waf` block into this
// shape (driven by the hcl tags), providers render it as JSON, and the runtime loads that
// JSON with Load. Both sides validate with Validate.
//
// Tags: `json` names the JSON field and must equal the HCL name; `hcl` says how the field
// appears in HCL: "name,optional" or "name,required" attribute, "name,block" nested block
// (a slice means repeatable, a pointer means optional), "name,label" the block's label.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Config is the whole configuration of one rampart-waf process.
type Config struct {
	Listen Listen  `json:"listen" hcl:"listen,block"`
	Admin  *Admin  `json:"admin,omitempty" hcl:"admin,block"`
	Pools  []Pool  `json:"server_pool,omitempty" hcl:"server_pool,block"`
	Sites  []Site  `json:"site,omitempty" hcl:"site,block"`
	Events *Events `json:"events,omitempty" hcl:"events,block"`
	// TLS is the default certificate, served when no site's certificate matches the SNI.
	TLS *TLS `json:"tls,omitempty" hcl:"tls,block"`
	// DockerAPI lists the Docker engines that docker_discovery pools query. (Not named
	// "docker": that is the Docker provider's placement block.)
	DockerAPI *DockerAPI `json:"docker_api,omitempty" hcl:"docker_api,block"`
	// Inspection bounds the CPU the rule engine may take (overload behaviour).
	Inspection *Inspection `json:"inspection,omitempty" hcl:"inspection,block"`
	// Limits are the client-facing timeouts and size limits.
	Limits *Limits `json:"limits,omitempty" hcl:"limits,block"`
}

// Listen says where the WAF accepts client traffic.
type Listen struct {
	// Address is the IP to bind; default 127.0.0.1 (listen only where configured).
	Address string `json:"address,omitempty" hcl:"address,optional"`
	HTTP    int    `json:"http,omitempty" hcl:"http,optional"`
	HTTPS   int    `json:"https,omitempty" hcl:"https,optional"`
	// RedirectHTTP answers every plain-HTTP request with a redirect to HTTPS.
	RedirectHTTP bool `json:"redirect_http,omitempty" hcl:"redirect_http,optional"`
}

// Admin configures the admin API (/healthz, /status, /metrics).
type Admin struct {
	// Listen is "host:port" on loopback or "unix:/path/to/socket".
	Listen string `json:"listen,omitempty" hcl:"listen,optional"`
}

// Pool is a named group of upstream servers.
type Pool struct {
	Name          string       `json:"name" hcl:"name,label"`
	LoadBalancing string       `json:"load_balancing,omitempty" hcl:"load_balancing,optional"`
	Members       []Member     `json:"member,omitempty" hcl:"member,block"`
	HealthCheck   *HealthCheck `json:"health_check,omitempty" hcl:"health_check,block"`
	// Port is the port discovered members serve on (docker_discovery).
	Port int `json:"port,omitempty" hcl:"port,optional"`
	// DockerDiscovery makes the pool dynamic: its members are the running containers
	// that match, found through the engines of the waf's docker_api block.
	DockerDiscovery *DockerDiscovery `json:"docker_discovery,omitempty" hcl:"docker_discovery,block"`
	// Retries is how many other members an idempotent request is retried on after a
	// connection failure: 0 means the default (1); a negative value disables retries.
	Retries int `json:"retries,omitempty" hcl:"retries,optional"`
}

// Member is one static upstream server.
type Member struct {
	Address string `json:"address" hcl:"address,required"` // host:port
	Weight  int    `json:"weight,omitempty" hcl:"weight,optional"`
}

// HealthCheck is an active L7 health check.
type HealthCheck struct {
	Method       string `json:"method,omitempty" hcl:"method,optional"` // default GET
	Path         string `json:"path,omitempty" hcl:"path,optional"`
	Interval     string `json:"interval,omitempty" hcl:"interval,optional"`
	Timeout      string `json:"timeout,omitempty" hcl:"timeout,optional"`
	ExpectStatus int    `json:"expect_status,omitempty" hcl:"expect_status,optional"`
	// Rise and Fall are how many consecutive checks bring a member UP or DOWN.
	Rise int `json:"rise,omitempty" hcl:"rise,optional"` // default 2
	Fall int `json:"fall,omitempty" hcl:"fall,optional"` // default 3
	// PassiveFailures marks a member DOWN after that many consecutive failed proxied
	// requests (connection errors, timeouts); 0 turns passive checks off.
	PassiveFailures int `json:"passive_failures,omitempty" hcl:"passive_failures,optional"`
}

// Site is a virtual host routed to a pool and protected by a policy.
type Site struct {
	Name      string   `json:"name" hcl:"name,label"`
	Hostnames []string `json:"hostnames,omitempty" hcl:"hostnames,optional"`
	Pool      string   `json:"pool" hcl:"pool,required"`
	Policy    *Policy  `json:"policy,omitempty" hcl:"policy,block"`
	// TLS is this site's certificate, selected by SNI among its hostnames.
	TLS *TLS `json:"tls,omitempty" hcl:"tls,block"`
}

// Policy is the rule-engine policy of a site.
type Policy struct {
	Mode          string `json:"mode,omitempty" hcl:"mode,optional"` // block (default), detect, off
	ParanoiaLevel int    `json:"paranoia_level,omitempty" hcl:"paranoia_level,optional"`
	// Anomaly score thresholds of the OWASP Core Rule Set (defaults 5 and 4).
	InboundThreshold  int `json:"inbound_anomaly_threshold,omitempty" hcl:"inbound_anomaly_threshold,optional"`
	OutboundThreshold int `json:"outbound_anomaly_threshold,omitempty" hcl:"outbound_anomaly_threshold,optional"`
	// Exclusions switch rules off for some requests (false positives).
	Exclusions []Exclusion `json:"exclusion,omitempty" hcl:"exclusion,block"`
	// CustomRules are SecLang rule texts (inline, or file("rules.conf") in HCL), loaded
	// after the Core Rule Set.
	CustomRules []string `json:"custom_rules,omitempty" hcl:"custom_rules,optional"`
	// RequestBodyLimit is the largest body inspected, in bytes (default 131072); larger
	// bodies are refused in block mode.
	RequestBodyLimit int `json:"request_body_limit,omitempty" hcl:"request_body_limit,optional"`
	// ArgumentsLimit is the most arguments a request may carry (default 1000).
	ArgumentsLimit int `json:"arguments_limit,omitempty" hcl:"arguments_limit,optional"`
	// UploadPaths are path prefixes whose request bodies are not inspected (file uploads).
	UploadPaths []string `json:"upload_paths,omitempty" hcl:"upload_paths,optional"`
	// ResponseInspection turns on the outbound (response) rules; off by default.
	ResponseInspection bool `json:"response_inspection,omitempty" hcl:"response_inspection,optional"`
	// CRSSetup is SecLang text loaded after the Core Rule Set's setup and before its rules:
	// the place of crs-setup.conf tuning that phase-1 rules read, such as
	// setvar:tx.allowed_methods or tx.max_file_size (custom_rules load too late for those).
	CRSSetup []string `json:"crs_setup,omitempty" hcl:"crs_setup,optional"`
}

// Exclusion removes rules, by id or tag, for requests under a path prefix, optionally
// only for one argument. At least one of rule_ids and tags must be set.
type Exclusion struct {
	RuleIDs    []int    `json:"rule_ids,omitempty" hcl:"rule_ids,optional"`
	Tags       []string `json:"tags,omitempty" hcl:"tags,optional"`
	PathPrefix string   `json:"path_prefix,omitempty" hcl:"path_prefix,optional"` // default "/"
	Argument   string   `json:"argument,omitempty" hcl:"argument,optional"`
}

// Events says where security events go.
type Events struct {
	// Syslog is udp://host:port, tcp://host:port or tls://host:port (RFC 5424);
	// WAF_SEM_SYSLOG_ADDR overrides it.
	Syslog string `json:"syslog,omitempty" hcl:"syslog,optional"`
	// AccessLog writes one JSON line per request to the log.
	AccessLog bool `json:"access_log,omitempty" hcl:"access_log,optional"`
	// LogMatchedData adds each rule's log data to security events, as ModSecurity logs it
	// ("Matched Data: X found within ARGS:q: <value>"). Off by default: it is request
	// content and may hold passwords, cookies or tokens.
	LogMatchedData bool `json:"log_matched_data,omitempty" hcl:"log_matched_data,optional"`
}

// Defaults applied by ApplyDefaults.
const (
	DefaultListenAddress = "127.0.0.1"
	DefaultAdminListen   = "127.0.0.1:9901"
	DefaultLoadBalancing = "roundrobin"
	DefaultPolicyMode    = "block"
)

// Load reads, defaults and validates a JSON configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read waf config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("waf config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes, defaults and validates JSON configuration. Unknown fields are errors so a
// typo never silently disables protection.
func Parse(data []byte) (*Config, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// ApplyDefaults fills unset fields with their defaults.
func (c *Config) ApplyDefaults() {
	if c.Listen.Address == "" {
		c.Listen.Address = DefaultListenAddress
	}
	if c.Admin == nil {
		c.Admin = &Admin{}
	}
	if c.Admin.Listen == "" {
		c.Admin.Listen = DefaultAdminListen
	}
	for i := range c.Pools {
		if c.Pools[i].LoadBalancing == "" {
			c.Pools[i].LoadBalancing = DefaultLoadBalancing
		}
		for j := range c.Pools[i].Members {
			if c.Pools[i].Members[j].Weight == 0 {
				c.Pools[i].Members[j].Weight = 1
			}
		}
	}
	for i := range c.Sites {
		if c.Sites[i].Policy == nil {
			c.Sites[i].Policy = &Policy{}
		}
		if c.Sites[i].Policy.Mode == "" {
			c.Sites[i].Policy.Mode = DefaultPolicyMode
		}
		if c.Sites[i].Policy.ParanoiaLevel == 0 {
			c.Sites[i].Policy.ParanoiaLevel = 1
		}
	}
}

// FieldError is a validation error about one field, named by its HCL path.
type FieldError struct {
	Path    string // e.g. site["shop"].pool
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// Validate checks the configuration. It accepts a configuration before or after
// ApplyDefaults. All problems are returned, joined, as *FieldError values.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if c.Listen.HTTP == 0 && c.Listen.HTTPS == 0 {
		bad("listen", "set at least one of http or https")
	}
	for name, port := range map[string]int{"listen.http": c.Listen.HTTP, "listen.https": c.Listen.HTTPS} {
		if port < 0 || port > 65535 {
			bad(name, "port %d is out of range 1-65535", port)
		}
	}
	if c.Listen.Address != "" && net.ParseIP(c.Listen.Address) == nil {
		bad("listen.address", "%q is not an IP address", c.Listen.Address)
	}
	if c.Admin != nil && c.Admin.Listen != "" && !strings.HasPrefix(c.Admin.Listen, "unix:") {
		if _, _, err := net.SplitHostPort(c.Admin.Listen); err != nil {
			bad("admin.listen", "%q is neither host:port nor unix:/path", c.Admin.Listen)
		}
	}
	pools := map[string]bool{}
	for _, p := range c.Pools {
		path := fmt.Sprintf("server_pool[%q]", p.Name)
		if pools[p.Name] {
			bad(path, "duplicate server_pool %q", p.Name)
		}
		pools[p.Name] = true
		switch p.LoadBalancing {
		case "", "roundrobin", "leastconn", "source":
		default:
			bad(path+".load_balancing", "%q is not one of roundrobin, leastconn, source", p.LoadBalancing)
		}
		for i, m := range p.Members {
			if _, _, err := net.SplitHostPort(m.Address); err != nil {
				bad(fmt.Sprintf("%s.member[%d].address", path, i), "%q is not host:port", m.Address)
			}
			if m.Weight < 0 {
				bad(fmt.Sprintf("%s.member[%d].weight", path, i), "weight must not be negative")
			}
		}
		if hc := p.HealthCheck; hc != nil {
			validateHealthCheck(hc, path+".health_check", bad)
		}
	}
	hostSites := map[string]string{} // lower-case hostname → site name
	defaultSite := ""
	for _, s := range c.Sites {
		path := fmt.Sprintf("site[%q]", s.Name)
		if len(s.Hostnames) == 0 {
			if defaultSite != "" {
				bad(path+".hostnames", "only one site may omit hostnames (the default site), and site %q already does; list this site's hostnames", defaultSite)
			}
			defaultSite = s.Name
		}
		for _, h := range s.Hostnames {
			key := strings.ToLower(strings.TrimSuffix(h, "."))
			if other, taken := hostSites[key]; taken && other != s.Name {
				bad(path+".hostnames", "hostname %q is already routed to site %q", h, other)
			}
			hostSites[key] = s.Name
		}
		if !pools[s.Pool] {
			bad(path+".pool", "no server_pool named %q", s.Pool)
		}
		if s.Policy != nil {
			switch s.Policy.Mode {
			case "", "block", "detect", "off":
			default:
				bad(path+".policy.mode", "%q is not one of block, detect, off", s.Policy.Mode)
			}
			if s.Policy.ParanoiaLevel < 0 || s.Policy.ParanoiaLevel > 4 {
				bad(path+".policy.paranoia_level", "%d is not in 1-4", s.Policy.ParanoiaLevel)
			}
		}
	}
	if len(c.Sites) == 0 {
		bad("site", "declare at least one site")
	}
	for _, st := range c.Sites {
		validatePolicy(st.Policy, fmt.Sprintf("site[%q].policy", st.Name), bad)
	}
	validateTLSUse(c, bad)
	validateDiscovery(c, bad)
	validateLimits(c, bad)
	validateEvents(c, bad)
	return errors.Join(errs...)
}

// validateHealthCheck checks the fields the runtime parses, so a typo such as
// interval = "5" fails at plan time instead of when the WAF starts.
func validateHealthCheck(hc *HealthCheck, path string, bad func(path, format string, args ...any)) {
	durations := []struct{ field, value string }{{"interval", hc.Interval}, {"timeout", hc.Timeout}}
	for _, d := range durations {
		if d.value == "" {
			continue
		}
		if v, err := time.ParseDuration(d.value); err != nil || v <= 0 {
			bad(path+"."+d.field, "%q is not a positive duration such as \"5s\"", d.value)
		}
	}
	if hc.Path != "" && !strings.HasPrefix(hc.Path, "/") {
		bad(path+".path", "%q must start with /", hc.Path)
	}
	if hc.ExpectStatus != 0 && (hc.ExpectStatus < 100 || hc.ExpectStatus > 599) {
		bad(path+".expect_status", "%d is not an HTTP status (100-599)", hc.ExpectStatus)
	}
	switch hc.Method {
	case "", "GET", "HEAD", "OPTIONS":
	default:
		bad(path+".method", "%q is not one of GET, HEAD, OPTIONS (a health check must not change anything)", hc.Method)
	}
	if hc.Rise < 0 || hc.Fall < 0 || hc.PassiveFailures < 0 {
		bad(path, "rise, fall and passive_failures must not be negative")
	}
}

// RestartFields names the settings whose change from prev a running process cannot apply
// with a reload (SIGHUP); any other change is reloadable.
func (c *Config) RestartFields(prev *Config) []string {
	var fields []string
	if c.Listen != prev.Listen {
		fields = append(fields, "listen")
	}
	if adminListen(c) != adminListen(prev) {
		fields = append(fields, "admin.listen")
	}
	// The syslog connection and the access log are set up once, at start.
	if (c.Events == nil) != (prev.Events == nil) || (c.Events != nil && *c.Events != *prev.Events) {
		fields = append(fields, "events")
	}
	// Timeouts and header limits belong to the listening http.Server.
	if (c.Limits == nil) != (prev.Limits == nil) || (c.Limits != nil && *c.Limits != *prev.Limits) {
		fields = append(fields, "limits")
	}
	return fields
}

// AdminListen is the admin API address after defaults.
func (c *Config) AdminListen() string { return adminListen(c) }

func adminListen(c *Config) string {
	if c.Admin == nil || c.Admin.Listen == "" {
		return DefaultAdminListen
	}
	return c.Admin.Listen
}

// ServiceAddress is where clients reach the WAF, for `rampart status`.
func (c *Config) ServiceAddress() string {
	addr := c.Listen.Address
	if addr == "" {
		addr = DefaultListenAddress
	}
	if c.Listen.HTTPS != 0 {
		return fmt.Sprintf("https://%s", net.JoinHostPort(addr, fmt.Sprint(c.Listen.HTTPS)))
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(addr, fmt.Sprint(c.Listen.HTTP)))
}
