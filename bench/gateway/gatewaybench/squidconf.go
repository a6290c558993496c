package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"text/template"
)

// squidConfTemplate is Squid's whole configuration for the run. It mirrors gatewayConfig:
//   - one forward-proxy port (tunnels and plain HTTP) and one ssl-bump port that
//     intercepts CONNECT with the run's CA, minting a certificate per host (client-first
//     bumping, as the gateway's cache port does: no look at the origin's certificate);
//   - only originHost allowed: CONNECT only to its TLS port, requests only to its HTTP
//     port (and, bumped, its TLS port);
//   - originHost mapped to 127.0.0.1 by a hosts_file of its own (not /etc/hosts) and DNS
//     and its socket on loopback, so no query leaves the machine;
//   - a memory-only cache (no cache_dir) of the same size and object limit;
//   - per-request logging off (access_log none): rampart-gateway logs refusals only;
//   - every file (pid, logs, certificate database) in the run's directory: /etc/squid and
//     the system service are never used.
//
// Squid runs one worker, its default: SMP mode would share its memory cache through
// /dev/shm and IPC sockets under /run/squid, outside the run's directory.
var squidConfTemplate = template.Must(template.New("squid.conf").Parse(`# Written by bench/gateway/gatewaybench for one run; see bench/gateway/README.md.
http_port 127.0.0.1:{{.ProxyPort}}
http_port 127.0.0.1:{{.CachePort}} ssl-bump tls-cert={{.Files.InterceptCACert}} tls-key={{.Files.InterceptCAKey}} generate-host-certificates=on dynamic_cert_mem_cache_size=16MB
sslcrtd_program /usr/lib/squid/security_file_certgen -s {{.Dir}}/ssl_db -M 16MB
sslcrtd_children 4 startup=1 idle=1
ssl_bump bump all
tls_outgoing_options cafile={{.Files.OriginCA}}

acl allowed_host dstdomain {{.OriginHost}}
acl tunnel_ports port {{.OriginTLSPort}}
acl allowed_ports port {{.OriginHTTPPort}} {{.OriginTLSPort}}
acl CONNECT method CONNECT
http_access deny CONNECT !tunnel_ports
http_access deny !allowed_ports
http_access allow allowed_host
http_access deny all

hosts_file {{.Dir}}/hosts
dns_nameservers 127.0.0.1
udp_outgoing_address 127.0.0.1
visible_hostname rampart-bench-squid

cache_mem {{.CacheMiB}} MB
maximum_object_size_in_memory {{.MaxObjectMiB}} MB
maximum_object_size {{.MaxObjectMiB}} MB
memory_cache_mode always

workers 1
max_filedescriptors {{.MaxFDs}}
access_log none
cache_store_log none
cache_log {{.Dir}}/cache.log
pid_filename {{.Dir}}/squid.pid
coredump_dir {{.Dir}}
netdb_filename none
pinger_enable off
shutdown_lifetime 1 seconds
`))

// squidConfData is what the template reads: the setup plus the origin's name.
type squidConfData struct {
	setup
	OriginHost string
}

// renderSquidConf returns squid.conf for s.
func renderSquidConf(s setup) ([]byte, error) {
	var buf bytes.Buffer
	if err := squidConfTemplate.Execute(&buf, squidConfData{setup: s, OriginHost: originHost}); err != nil {
		return nil, fmt.Errorf("render squid.conf: %w", err)
	}
	return buf.Bytes(), nil
}

// prepareSquid writes squid.conf and the hosts file into s.Dir, creates the certificate
// database with certgen, and, when this runs as root, hands the directory to the user
// Squid switches to (Debian's "proxy"). It returns the path of squid.conf.
func prepareSquid(s setup, certgen string) (string, error) {
	conf, err := renderSquidConf(s)
	if err != nil {
		return "", err
	}
	confPath := filepath.Join(s.Dir, "squid.conf")
	if err := os.WriteFile(confPath, conf, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", confPath, err)
	}
	hosts := filepath.Join(s.Dir, "hosts")
	if err := os.WriteFile(hosts, []byte("127.0.0.1 "+originHost+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", hosts, err)
	}
	db := filepath.Join(s.Dir, "ssl_db")
	if out, err := exec.Command(certgen, "-c", "-s", db, "-M", "16MB").CombinedOutput(); err != nil {
		return "", fmt.Errorf("create Squid's certificate database (%s -c -s %s): %w\n%s", certgen, db, err, out)
	}
	if os.Geteuid() == 0 {
		if err := checkTraversable(s.Dir); err != nil {
			return "", err
		}
		if err := chownTree(s.Dir, "proxy"); err != nil {
			return "", err
		}
	}
	return confPath, nil
}

// checkTraversable fails when a directory above dir is closed to other users: Squid,
// having dropped root, could not reach its files (its certificate helpers fail first).
func checkTraversable(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("check access to %s: %w", d, err)
		}
		if info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("squid runs as user proxy and cannot enter %s (mode %v): use a work directory whose parents are open to other users, such as one made by mktemp -d under /tmp", d, info.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// chownTree gives dir and everything in it to the named user and its primary group.
func chownTree(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("user %q, which Squid switches to from root, does not exist (is squid-openssl installed?): %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, uid, gid); err != nil {
			return fmt.Errorf("hand %s to %s: %w", path, name, err)
		}
		return nil
	})
}
