package servicelab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SSHD starts OpenSSH's sshd on 127.0.0.1. weak adds the legacy key exchanges and MACs a
// scanner must flag (diffie-hellman-group1-sha1, hmac-md5, hmac-sha1); otherwise it offers
// only modern algorithms. It returns the port.
func SSHD(t testing.TB, weak bool) int {
	t.Helper()
	sshd := need(t, "SSHD", "sshd", "openssh-server")
	keygen := need(t, "SSHD", "ssh-keygen", "openssh-client")
	if os.Geteuid() == 0 {
		// sshd insists on its privilege-separation directory even in debug mode
		_ = os.MkdirAll("/run/sshd", 0o755)
	}
	dir := t.TempDir()
	hostKey := filepath.Join(dir, "host_ed25519")
	run(t, exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", hostKey))
	p := port(t)
	algorithms := `KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
Ciphers aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr
`
	if weak {
		algorithms = `KexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group14-sha1
MACs +hmac-md5,hmac-sha1
`
	}
	config := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile none
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
%s`, p, hostKey, algorithms)
	configPath := filepath.Join(dir, "sshd_config")
	writeFile(t, configPath, config, 0o600)
	// -D: stay in the foreground as our child; -e: log to stderr (our log file)
	start(t, describe("sshd", p), exec.Command(sshd, "-D", "-e", "-f", configPath), p, filepath.Join(dir, "sshd.log"))
	return p
}
