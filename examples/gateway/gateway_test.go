package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/examples/internal/clirun"
	"github.com/rampart-sec/rampart/examples/quickstart/backend"
	"github.com/rampart-sec/rampart/internal/freeport"
)

func TestMain(m *testing.M) {
	clirun.Main(m,
		"github.com/rampart-sec/rampart/cmd/rampart",
		"github.com/rampart-sec/rampart/cmd/rampart-provider-local",
		"github.com/rampart-sec/rampart/cmd/rampart-gateway",
	)
}

// viaProxy sends one absolute-URI request through the gateway's proxy port.
func viaProxy(t *testing.T, proxy, url string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", proxy, 5*time.Second)
	if err != nil {
		t.Fatalf("dial gateway: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	host := strings.Split(strings.TrimPrefix(url, "http://"), "/")[0]
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", url, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestGatewayExample applies the example for real with the local provider, checks the
// gateway serves the allowed application and refuses the rest, shows its figures in
// `rampart status`, and destroys it.
func TestGatewayExample(t *testing.T) {
	originPort := freeport.Port(t)
	srv, _, err := backend.Start("127.0.0.1:" + strconv.Itoa(originPort))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	work := t.TempDir()
	src, err := os.ReadFile("main.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "main.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	proxyPort, cachePort, adminPort := freeport.Port(t), freeport.Port(t), freeport.Port(t)
	vars := fmt.Sprintf("proxy_port = %d\ncache_port = %d\nadmin_port = %d\norigin_port = %d\n", proxyPort, cachePort, adminPort, originPort)
	if err := os.WriteFile(filepath.Join(work, "test.vars.hcl"), []byte(vars), 0o644); err != nil {
		t.Fatal(err)
	}
	c := clirun.CLI{T: t, Dir: work}
	proxy := "127.0.0.1:" + strconv.Itoa(proxyPort)

	c.Must("init")
	applied := c.Must("apply", "-auto-approve")
	t.Cleanup(func() { c.Run("destroy", "-auto-approve") })
	if !strings.Contains(applied, "Apply complete! Appliances: 1 added") {
		t.Fatalf("apply output lacks the summary:\n%s", applied)
	}

	code, body := viaProxy(t, proxy, "http://shop.internal:"+strconv.Itoa(originPort)+"/products")
	if code != http.StatusOK || !strings.Contains(body, "hello from the shop backend: GET /products") {
		t.Fatalf("allowed request: %d %q", code, body)
	}
	for _, url := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://127.0.0.1:" + strconv.Itoa(originPort) + "/",
		"http://elsewhere.example.com/",
	} {
		if code, body := viaProxy(t, proxy, url); code != http.StatusForbidden {
			t.Fatalf("%s: %d %q, want 403", url, code, body)
		}
	}

	status := c.Must("status")
	for _, want := range []string{"gateway.edge:", "unique IPs (60m):", "proxy port:", strconv.Itoa(proxyPort), "TLS minimum:", "1.2"} {
		if !strings.Contains(status, want) {
			t.Fatalf("status lacks %q:\n%s", want, status)
		}
	}
	if code, out := c.Run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan right after apply exited %d, want 0:\n%s", code, out)
	}

	destroyed := c.Must("destroy", "-auto-approve")
	if !strings.Contains(destroyed, "Destroy complete! Appliances: 1 destroyed.") {
		t.Fatalf("destroy output:\n%s", destroyed)
	}
	if conn, err := net.DialTimeout("tcp", proxy, time.Second); err == nil {
		conn.Close()
		t.Fatalf("proxy port %d still accepts connections after destroy", proxyPort)
	}
}
