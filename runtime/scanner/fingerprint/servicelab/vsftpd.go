package servicelab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// VSFTPD starts vsftpd on 127.0.0.1 in the foreground. It returns the port.
func VSFTPD(t testing.TB) int {
	t.Helper()
	server := need(t, "VSFTPD", "vsftpd", "vsftpd")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	p := port(t)
	config := fmt.Sprintf(`listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=%d
background=NO
anonymous_enable=NO
local_enable=YES
seccomp_sandbox=NO
secure_chroot_dir=%s
vsftpd_log_file=%s
xferlog_enable=NO
`, p, empty, filepath.Join(dir, "vsftpd.xfer.log"))
	configPath := filepath.Join(dir, "vsftpd.conf")
	writeFile(t, configPath, config, 0o600) // vsftpd refuses a config file others may write
	start(t, describe("vsftpd", p), exec.Command(server, configPath), p, filepath.Join(dir, "vsftpd.log"))
	return p
}
