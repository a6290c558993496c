// Package appliance is the registry of appliance kinds: for each HCL block type (waf,
// gateway, scanner, cdr_sensor) the runtime binary that runs it and its config contract
// (runtime/<kind>/config). The schema package derives HCL schemas from the config types;
// providers use Parse to render, validate and compare configurations without knowing any
// kind in particular.
package appliance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	cdrconfig "github.com/rampart-sec/rampart/runtime/cdr/config"
	gatewayconfig "github.com/rampart-sec/rampart/runtime/gateway/config"
	scannerconfig "github.com/rampart-sec/rampart/runtime/scanner/config"
	wafconfig "github.com/rampart-sec/rampart/runtime/waf/config"
)

// Config is a parsed, defaulted and validated runtime configuration of any kind.
type Config interface {
	// AdminListen is where the runtime's admin API listens: host:port or unix:/path.
	AdminListen() string
	// ServiceAddress is where clients reach the appliance, for status output.
	ServiceAddress() string
	// RestartFields names the settings whose change from prev needs a process restart;
	// empty means a reload (SIGHUP) is enough. prev must be of the same kind.
	RestartFields(prev Config) []string
	// JSON is the configuration as the runtime loads it.
	JSON() ([]byte, error)
}

// Kind describes one appliance kind.
type Kind struct {
	Name   string       // HCL block type, e.g. waf
	Binary string       // runtime binary, e.g. rampart-waf
	Type   reflect.Type // the config struct type (runtime/<kind>/config.Config)
	// Parse decodes JSON (unknown fields rejected), applies defaults and validates.
	Parse func(data []byte) (Config, error)
	// Validate checks JSON without applying defaults, returning *FieldError-style errors.
	Validate func(data []byte) error
}

var kinds = map[string]Kind{}

func init() {
	register[wafconfig.Config]("waf", "rampart-waf")
	register[gatewayconfig.Config]("gateway", "rampart-gateway")
	register[scannerconfig.Config]("scanner", "rampart-scanner")
	register[cdrconfig.Config]("cdr_sensor", "rampart-cdr")
}

// Lookup returns the kind named by an HCL block type.
func Lookup(name string) (Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// Names lists the kind names, sorted.
func Names() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// contract is what every runtime/<kind>/config.Config offers, with C its own type.
type contract[C any] interface {
	*C
	ApplyDefaults()
	Validate() error
	AdminListen() string
	ServiceAddress() string
	RestartFields(prev *C) []string
}

type typed[C any, P contract[C]] struct{ c P }

func (t typed[C, P]) AdminListen() string    { return t.c.AdminListen() }
func (t typed[C, P]) ServiceAddress() string { return t.c.ServiceAddress() }
func (t typed[C, P]) JSON() ([]byte, error)  { return json.MarshalIndent(t.c, "", "  ") }
func (t typed[C, P]) RestartFields(prev Config) []string {
	p, ok := prev.(typed[C, P])
	if !ok {
		return []string{"kind"}
	}
	return t.c.RestartFields(p.c)
}

func register[C any, P contract[C]](name, binary string) {
	decode := func(data []byte) (P, error) {
		var c C
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("decode %s config: %w", name, err)
		}
		return P(&c), nil
	}
	kinds[name] = Kind{
		Name:   name,
		Binary: binary,
		Type:   reflect.TypeFor[C](),
		Parse: func(data []byte) (Config, error) {
			c, err := decode(data)
			if err != nil {
				return nil, err
			}
			c.ApplyDefaults()
			if err := c.Validate(); err != nil {
				return nil, err
			}
			return typed[C, P]{c}, nil
		},
		Validate: func(data []byte) error {
			c, err := decode(data)
			if err != nil {
				return err
			}
			return c.Validate()
		},
	}
}
