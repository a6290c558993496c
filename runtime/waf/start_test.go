package waf_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/runtime/logging"
	"github.com/rampart-sec/rampart/runtime/waf"
	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// startFromFile starts a WAF that binds the listeners of its file; it returns Start's error
// and shuts the server down if it did start.
func startFromFile(t *testing.T, path string) error {
	t.Helper()
	srv, err := waf.New(waf.Options{ConfigPath: path, Logger: logging.Discard()})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	t.Cleanup(func() { srv.Shutdown(t.Context()) })
	return nil
}

func portOf(t *testing.T, address string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStartErrors(t *testing.T) {
	t.Run("https without certificates", func(t *testing.T) {
		cfg := simpleConfig("block", "127.0.0.1:1")
		cfg.Listen.HTTPS = 8443
		path := t.TempDir() + "/waf.json"
		writeConfig(t, path, cfg)
		err := waf.CheckConfig(path)
		if err == nil || !strings.Contains(err.Error(), "listen.https") {
			t.Fatalf("error = %v, want one about listen.https", err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		taken := startBackend(t, "taken") // holds a loopback port
		cfg := simpleConfig("block", "127.0.0.1:1")
		cfg.Listen.HTTP = portOf(t, taken.address())
		cfg.Admin = &config.Admin{Listen: "127.0.0.1:0"}
		path := t.TempDir() + "/waf.json"
		writeConfig(t, path, cfg)
		err := startFromFile(t, path)
		if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "listen.http") {
			t.Fatalf("error = %v, want one saying listen.http's port is in use", err)
		}
	})
}
