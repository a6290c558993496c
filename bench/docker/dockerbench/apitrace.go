package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// apiTrace is a Docker API proxy on a unix socket that counts and times the calls going
// through it, per endpoint: with -api-trace, rampart's provider and the floor both talk
// to the engine through it, so the table after each operation shows which calls one
// makes that the other does not, and how long the engine took to answer them. The
// figures of a traced run are not the benchmark's (the proxy adds a hop); they say where
// the time goes.
type apiTrace struct {
	socket string
	server *http.Server

	mu    sync.Mutex
	calls map[string]*callStats
}

type callStats struct {
	count int
	total time.Duration
}

// startAPITrace listens on socket and forwards to the engine at target (unix:///path).
func startAPITrace(socket, target string) (*apiTrace, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "unix" {
		return nil, fmt.Errorf("-api-trace needs a unix:// Docker host, not %q", target)
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("api trace: listen on %s: %w", socket, err)
	}
	engineSocket := u.Path
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = "http", "docker"
		},
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", engineSocket)
			},
			MaxIdleConnsPerHost: 64,
		},
		FlushInterval: -1, // stream build output and the like as it comes
	}
	t := &apiTrace{socket: socket, calls: map[string]*callStats{}}
	t.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		proxy.ServeHTTP(w, r)
		t.record(r.Method+" "+endpointOf(r.URL), time.Since(start))
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = t.server.Serve(ln) }()
	return t, nil
}

// host is the Docker host to give clients: unix://<socket>.
func (t *apiTrace) host() string { return "unix://" + t.socket }

func (t *apiTrace) record(endpoint string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.calls[endpoint]
	if s == nil {
		s = &callStats{}
		t.calls[endpoint] = s
	}
	s.count++
	s.total += d
}

// take returns the calls recorded since the last take and starts afresh.
func (t *apiTrace) take() map[string]*callStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.calls
	t.calls = map[string]*callStats{}
	return out
}

func (t *apiTrace) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := t.server.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api trace: %w", err)
	}
	return nil
}

var (
	apiVersion = regexp.MustCompile(`^/v[0-9.]+`)
	// Ids, names and other path values after these collection names become {id}.
	pathValue = regexp.MustCompile(`^/(containers|networks|volumes|exec)/([^/]+)`)
)

// endpointOf reduces a request URL to its endpoint: no API version, {id} for path
// values, and the names of the list filters used (they decide what a list costs).
func endpointOf(u *url.URL) string {
	p := apiVersion.ReplaceAllString(u.Path, "")
	if rest, ok := strings.CutPrefix(p, "/images/"); ok && !slices.Contains([]string{"json", "create", "load", "prune", "search"}, rest) {
		// Image references contain slashes: rampart/waf:0.1.0-abc.
		p = "/images/{id}"
		if i := strings.LastIndex(rest, "/"); i >= 0 && slices.Contains([]string{"json", "history", "tag", "push", "get"}, rest[i+1:]) {
			p += rest[i:]
		}
	} else if m := pathValue.FindStringSubmatch(p); m != nil && m[2] != "json" && m[2] != "create" && m[2] != "prune" && m[2] != "load" {
		p = "/" + m[1] + "/{id}" + p[len(m[0]):]
	}
	if f := u.Query().Get("filters"); f != "" {
		var keys []string
		for _, k := range []string{"label", "ancestor", "name", "id", "network", "status", "dangling"} {
			if strings.Contains(f, `"`+k+`"`) {
				keys = append(keys, k)
			}
		}
		p += "?filters=" + strings.Join(keys, ",")
	}
	return p
}

// printCalls prints the calls of one operation, the most time-consuming first.
func printCalls(w io.Writer, title string, calls map[string]*callStats) {
	type line struct {
		endpoint string
		callStats
	}
	var lines []line
	total, count := time.Duration(0), 0
	for e, s := range calls {
		lines = append(lines, line{e, *s})
		total += s.total
		count += s.count
	}
	slices.SortFunc(lines, func(a, b line) int { return int(b.total - a.total) })
	fmt.Fprintf(w, "%s: %d Docker API calls, %.2f s of engine time (summed over parallel calls)\n", title, count, total.Seconds())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, l := range lines {
		fmt.Fprintf(tw, "  %d×\t%.3f s\t%.1f ms each\t%s\n", l.count, l.total.Seconds(), float64(l.total.Microseconds())/1000/float64(l.count), l.endpoint)
	}
	_ = tw.Flush()
}
