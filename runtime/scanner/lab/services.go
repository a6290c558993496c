package lab

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Strength says whether a service is set up with the weaknesses the checks must report
// (Weak) or without them (Hardened).
type Strength int

// Strengths of a lab service.
const (
	Weak Strength = iota
	Hardened
)

// StartSSH runs OpenSSH's sshd on port 22. Weak offers SHA-1 and group1 key exchange and
// MD5/SHA-1 MACs; Hardened only curve25519 and SHA-2 encrypt-then-MAC.
func (h *Host) StartSSH(ctx context.Context, strength Strength) error {
	sshd := "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil {
		return fmt.Errorf("%s not found: apt-get install openssh-server", sshd)
	}
	// sshd insists on its privilege separation directory; Debian's package creates it at boot.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		return err
	}
	dir := filepath.Join(h.Dir, "sshd")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	if err := run(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey); err != nil {
		return err
	}
	algorithms := "KexAlgorithms diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,curve25519-sha256\n" +
		"MACs hmac-md5,hmac-sha1,hmac-sha2-256\n"
	if strength == Hardened {
		algorithms = "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org\n" +
			"MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com\n" +
			"Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\n"
	}
	conf := filepath.Join(dir, "sshd_config")
	text := fmt.Sprintf("Port 22\nListenAddress 0.0.0.0\nHostKey %s\nPidFile %s\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n%s",
		hostKey, filepath.Join(dir, "sshd.pid"), algorithms)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return err
	}
	_, err := h.Start(ctx, "sshd", []string{sshd, "-D", "-e", "-f", conf}, StartOptions{Ports: []uint16{22}})
	return err
}

// StartNginx runs nginx on 80 and 443 (and extra plain-HTTP ports). Weak: TLS 1.0 and 1.1
// enabled with every cipher, a self-signed certificate expiring in 10 days, directory
// listing, no security headers, version in the Server header. Hardened: TLS 1.2+, strong
// ciphers, a CA-signed certificate valid a year, security headers, no listing.
func (h *Host) StartNginx(ctx context.Context, strength Strength) error {
	return h.startNginx(ctx, strength, []uint16{80}, 443)
}

// StartPlainHTTP runs a hardened nginx serving plain HTTP only, on ports.
func (h *Host) StartPlainHTTP(ctx context.Context, ports ...uint16) error {
	return h.startNginx(ctx, Hardened, ports, 0)
}

func (h *Host) startNginx(ctx context.Context, strength Strength, httpPorts []uint16, httpsPort uint16) error {
	nginx := "/usr/sbin/nginx"
	if _, err := os.Stat(nginx); err != nil {
		return fmt.Errorf("%s not found: apt-get install nginx", nginx)
	}
	dir := filepath.Join(h.Dir, "nginx")
	for _, sub := range []string{"www/files", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "www/files/backup.tar"), []byte("lab"), 0o644); err != nil {
		return err
	}
	var cert, key, tls, extra string
	var err error
	if strength == Weak {
		if cert, key, err = writeSelfSigned(dir, h.Addr.String(), time.Now().AddDate(0, 0, 10)); err != nil {
			return err
		}
		tls = "ssl_protocols TLSv1 TLSv1.1 TLSv1.2; ssl_ciphers ALL:@SECLEVEL=0; ssl_prefer_server_ciphers off;"
		extra = "autoindex on;"
	} else {
		if cert, key, _, err = writeCASigned(dir, h.Addr.String()); err != nil {
			return err
		}
		tls = "ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20; ssl_prefer_server_ciphers on;"
		extra = `server_tokens off; autoindex off;
			add_header Strict-Transport-Security "max-age=31536000" always;
			add_header X-Content-Type-Options nosniff always;
			add_header X-Frame-Options DENY always;
			add_header Content-Security-Policy "default-src 'self'" always;
			add_header Referrer-Policy no-referrer always;`
	}
	var listens string
	var ports []uint16
	for _, p := range httpPorts {
		listens += fmt.Sprintf(" listen %d;", p)
		ports = append(ports, p)
	}
	if httpsPort != 0 {
		listens += fmt.Sprintf(" listen %d ssl;", httpsPort)
		ports = append(ports, httpsPort)
	}
	conf := fmt.Sprintf(`user root;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp;
	uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
	server {
		%[2]s
		ssl_certificate %[3]s; ssl_certificate_key %[4]s;
		%[5]s
		%[6]s
		root %[1]s/www;
	}
}
`, dir, listens, cert, key, tls, extra)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return err
	}
	_, err = h.Start(ctx, "nginx", []string{nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath, "-g", "daemon off;"},
		StartOptions{Ports: ports})
	return err
}

// StartRedis runs redis-server on 6379; an empty password leaves it open to anyone (Weak).
func (h *Host) StartRedis(ctx context.Context, password string) error {
	redis, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("redis-server not found: apt-get install redis-server")
	}
	dir := filepath.Join(h.Dir, "redis")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	args := []string{redis, "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""}
	if password != "" {
		args = append(args, "--requirepass", password)
	}
	_, err = h.Start(ctx, "redis", args, StartOptions{Ports: []uint16{6379}})
	return err
}

// StartPostgres initialises a cluster under the host's directory and runs PostgreSQL on
// 5432, as the postgres user (it refuses root), listening on all addresses.
func (h *Host) StartPostgres(ctx context.Context) error {
	bin, err := postgresBin()
	if err != nil {
		return err
	}
	dir := filepath.Join(h.Dir, "postgres")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := run(ctx, "chown", "-R", "postgres:postgres", dir); err != nil {
		return err
	}
	asPostgres := []string{"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"}
	data := filepath.Join(dir, "data")
	initdb := append(asPostgres, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth-host=scram-sha-256", "--auth-local=peer")
	if err := run(ctx, initdb...); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	args := append(asPostgres, filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-p", "5432",
		"-c", "listen_addresses=*", "-c", "logging_collector=off")
	_, err = h.Start(ctx, "postgres", args, StartOptions{Ports: []uint16{5432}})
	return err
}

func postgresBin() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(matches) == 0 {
		return "", fmt.Errorf("PostgreSQL not found under /usr/lib/postgresql: apt-get install postgresql")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// silentPortsEnv makes a binary that calls RunHelperIfAsked a silent server.
const silentPortsEnv = "RAMPART_LAB_SILENT_PORTS"

// StartSilent runs a server that accepts connections on ports and never sends a byte: the
// ports that make service detection wait. The server is this very binary (a test binary or
// the lab command), re-executed; its main must call RunHelperIfAsked first.
func (h *Host) StartSilent(ctx context.Context, ports ...uint16) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var list []string
	for _, p := range ports {
		list = append(list, strconv.Itoa(int(p)))
	}
	_, err = h.Start(ctx, "silent", []string{self}, StartOptions{Ports: ports, Env: []string{silentPortsEnv + "=" + strings.Join(list, ",")}})
	return err
}

// RunHelperIfAsked turns this process into the silent server when StartSilent started it;
// otherwise it returns at once. Call it first in TestMain or main.
func RunHelperIfAsked() {
	list := os.Getenv(silentPortsEnv)
	if list == "" {
		return
	}
	for _, p := range strings.Split(list, ",") {
		l, err := net.Listen("tcp", ":"+p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "silent server:", err)
			os.Exit(1)
		}
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				go func() { // hold the connection without a word until the client leaves
					buf := make([]byte, 4096)
					for {
						if _, err := conn.Read(buf); err != nil {
							conn.Close()
							return
						}
					}
				}()
			}
		}()
	}
	select {}
}

// DropTCPExcept makes the host drop (not reset) TCP to every port but allowed: filtered ports.
func (h *Host) DropTCPExcept(ctx context.Context, allowed ...uint16) error {
	var list []string
	for _, p := range allowed {
		list = append(list, strconv.Itoa(int(p)))
	}
	return h.Exec(ctx, "iptables", "-A", "INPUT", "-p", "tcp", "-m", "multiport", "!", "--dports", strings.Join(list, ","), "-j", "DROP")
}
