package servicelab

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// Redis starts redis-server on 127.0.0.1. An empty password leaves it open (the planted
// weakness); protected mode is off so that the open copy really is open on loopback.
func Redis(t testing.TB, password string) int {
	t.Helper()
	server := need(t, "REDIS", "redis-server", "redis-server")
	dir := t.TempDir()
	p := port(t)
	config := fmt.Sprintf("port %d\nbind 127.0.0.1\nprotected-mode no\ndaemonize no\ndir %s\nsave \"\"\nappendonly no\nlogfile \"\"\n", p, dir)
	if password != "" {
		config += fmt.Sprintf("requirepass %s\n", password)
	}
	configPath := filepath.Join(dir, "redis.conf")
	writeFile(t, configPath, config, 0o600)
	start(t, describe("redis-server", p), exec.Command(server, configPath), p, filepath.Join(dir, "redis.log"))
	return p
}
