package docker

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// statusConcurrency bounds the admin API calls one `rampart status` makes at once.
const statusConcurrency = 8

// statusCheck is one running container whose runtime `rampart status` asks.
type statusCheck struct {
	index    int // in the Observe request
	instance protocol.Instance
	listed   container.Summary
	value    *protocol.InstanceValue
}

// fillStatus asks the runtimes of checks, a few at once, for what `rampart status`
// shows, and writes it into observed[check.index].Status (keeping its Detail).
func (p *placement) fillStatus(ctx context.Context, checks []statusCheck, observed []protocol.Observed) {
	slots := make(chan struct{}, statusConcurrency)
	var wg sync.WaitGroup
	for _, c := range checks {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			reach := func(cfg appliance.Config) (string, error) {
				return p.adminReachListed(c.listed, shape.String(c.value.Placement, attrAddress), cfg)
			}
			view, cfg := p.runtimeView(ctx, c.instance, c.value.Runtime, reach, dockerHealth(c.listed.Status))
			if cfg != nil {
				view.Address = publishedService(p.engine.daemonHost(), c.listed, cfg.ServiceAddress())
			}
			// Each goroutine writes its own element: no lock needed.
			view.Detail = observed[c.index].Status.Detail
			observed[c.index].Status = view
		}()
	}
	wg.Wait()
}

// runtimeView asks the runtime's admin API, found by reach, for its health (/healthz),
// the health of its parts (a WAF's pool members) and its figures (/status). When the
// admin API is out of reach (a remote engine whose admin port is not published), the
// health is the container's own Docker health check, fallback, if its image has one.
// It also returns the runtime's parsed configuration, nil when it cannot be rendered.
func (p *placement) runtimeView(ctx context.Context, inst protocol.Instance, runtime cty.Value,
	reach func(appliance.Config) (string, error), fallback string) (protocol.Status, appliance.Config) {
	kind, diags := runtimes.LookupKind("docker", inst.Kind)
	if diags.HasErrors() {
		return protocol.Status{Health: fallback}, nil
	}
	rendered, diags := runtimes.Render(kind, runtime)
	if diags.HasErrors() {
		return protocol.Status{Health: fallback}, nil
	}
	admin, err := reach(rendered.Parsed)
	if err != nil {
		return protocol.Status{Health: fallback}, rendered.Parsed
	}
	client := runtimes.NewClient(admin, "")
	if err := client.Healthy(ctx); err != nil {
		return protocol.Status{Health: healthUnhealthy}, rendered.Parsed
	}
	view := protocol.Status{Health: healthHealthy}
	if st, err := client.Status(ctx); err == nil {
		view.Components, view.Facts = st.View()
	}
	return view, rendered.Parsed
}

// publishedService is where clients reach the appliance from outside the container: the
// host side of the published service port (service is the runtime's ServiceAddress,
// "http://0.0.0.0:8080" or "0.0.0.0:8080"), with its scheme; "" when it is not published.
func publishedService(engineHost string, listed container.Summary, service string) string {
	scheme, hostPort := "", service
	if u, err := url.Parse(service); err == nil && u.Host != "" {
		scheme, hostPort = u.Scheme+"://", u.Host
	}
	_, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return ""
	}
	bindings := listedBindings(listed, port)
	if len(bindings) == 0 {
		return ""
	}
	host := bindings[0].HostIP
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if u, err := url.Parse(engineHost); err == nil && u.Scheme == "tcp" {
			host = u.Hostname()
		}
	}
	return scheme + net.JoinHostPort(host, bindings[0].HostPort)
}

// dockerHealth reads the result of a container's Docker health check from the status
// text of a container list ("Up 5 minutes (healthy)"); unknown when it has none.
func dockerHealth(status string) string {
	switch {
	case strings.Contains(status, "(healthy)"):
		return healthHealthy
	case strings.Contains(status, "(unhealthy)"):
		return healthUnhealthy
	default:
		return healthUnknown
	}
}

// inspectedHealth is dockerHealth for an inspected container.
func inspectedHealth(info container.InspectResponse) string {
	if info.State == nil || info.State.Health == nil {
		return healthUnknown
	}
	switch info.State.Health.Status {
	case container.Healthy:
		return healthHealthy
	case container.Unhealthy:
		return healthUnhealthy
	default:
		return healthUnknown
	}
}
