package config

// Allow is one destination clients of the proxy port may reach, with its own ports:
//
//	allow "repo.example.com" { tunnel_ports = [443] }            # tunnels only
//	allow ".example.org"     { http_ports = [80, 8080] }           # every subdomain, plain HTTP only
//	allow "10.20.0.0/16"     { tunnel_ports = [443] }             # IP destinations in a range
//	allow "app.internal"     { allow_private = true }              # may resolve to a private address
//
// A destination starting with a dot matches every subdomain (not the bare domain); an IP or
// CIDR destination allows IP-literal requests inside it, private or loopback included.
type Allow struct {
	Destination string `json:"destination" hcl:"destination,label"`
	// TunnelPorts are the ports CONNECT may reach; HTTPPorts the ports of plain HTTP
	// (absolute-URI) requests. When neither is set: tunnels to 443 and HTTP to 80.
	TunnelPorts []int `json:"tunnel_ports,omitempty" hcl:"tunnel_ports,optional"`
	HTTPPorts   []int `json:"http_ports,omitempty" hcl:"http_ports,optional"`
	// AllowPrivate lets a domain resolve (through DNS or host_mappings) to a loopback,
	// private or link-local address, which is refused otherwise.
	AllowPrivate bool `json:"allow_private,omitempty" hcl:"allow_private,optional"`
}

// Ports used when an allow entry (or an allowed_domains entry) names none.
const (
	DefaultTunnelPort = 443
	DefaultHTTPPort   = 80
)

func (a *Allow) applyDefaults() {
	if len(a.TunnelPorts) == 0 && len(a.HTTPPorts) == 0 {
		a.TunnelPorts = []int{DefaultTunnelPort}
		a.HTTPPorts = []int{DefaultHTTPPort}
	}
}

// DefaultDomains are allowed unless no_default_domains is set: the update mirrors the
// appliances' own operating systems and agents fetch patches from, so a fresh gateway is
// useful for patching without opening anything else.
var DefaultDomains = []string{
	"deb.debian.org",
	"security.debian.org",
	"archive.ubuntu.com",
	"security.ubuntu.com",
	".windowsupdate.com",
	".update.microsoft.com",
}

// Destinations is every allow entry in effect: the defaults (unless turned off), the
// allowed_domains short form, then the allow blocks, each with its ports filled in.
func (c *Config) Destinations() []Allow {
	var out []Allow
	short := func(d string) Allow {
		return Allow{Destination: d, TunnelPorts: []int{DefaultTunnelPort}, HTTPPorts: []int{DefaultHTTPPort}}
	}
	if !c.NoDefaultDomains {
		for _, d := range DefaultDomains {
			out = append(out, short(d))
		}
	}
	for _, d := range c.AllowedDomains {
		out = append(out, short(d))
	}
	for _, a := range c.Allow {
		a.applyDefaults()
		out = append(out, a)
	}
	return out
}
