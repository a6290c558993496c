package fingerprint

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/freeport"
	"github.com/rampart-sec/rampart/runtime/scanner/fingerprint/servicelab"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// labTimeout is generous: CI runs other packages' tests on the same two cores.
const labTimeout = 4 * time.Second

func identifyPort(t *testing.T, port int) Service {
	t.Helper()
	start := time.Now()
	svc, err := Identify(context.Background(), loopback, port, Options{Timeout: labTimeout})
	if err != nil {
		t.Fatalf("Identify(%d): %v", port, err)
	}
	t.Logf("port %d: %s %s %s in %s", port, svc.Name, svc.Product, svc.Version, time.Since(start).Round(time.Millisecond))
	if svc.Port != port {
		t.Fatalf("Service.Port = %d, want %d", svc.Port, port)
	}
	return svc
}

// installedVersion runs a program's version flag and extracts the version with re.
func installedVersion(t *testing.T, re string, args ...string) string {
	t.Helper()
	out, _ := exec.Command(args[0], args[1:]...).CombinedOutput()
	m := regexp.MustCompile(re).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("%s: no version in %q", strings.Join(args, " "), out)
	}
	return m[1]
}

func TestIdentifyOpenSSH(t *testing.T) {
	for _, weak := range []bool{true, false} {
		t.Run(map[bool]string{true: "weak", false: "hardened"}[weak], func(t *testing.T) {
			port := servicelab.SSHD(t, weak)
			want := installedVersion(t, `OpenSSH_(\S+?)[ ,]`, "ssh", "-V")
			svc := identifyPort(t, port)
			if svc.Name != "ssh" || svc.Product != "OpenSSH" || svc.Version != want {
				t.Fatalf("got %q %q %q, want ssh OpenSSH %s (banner %q)", svc.Name, svc.Product, svc.Version, want, svc.Banner)
			}
			if svc.SSH == nil {
				t.Fatal("no KEXINIT algorithms read")
			}
			hasGroup1 := slices.Contains(svc.SSH.KexAlgorithms, "diffie-hellman-group1-sha1")
			hasMD5 := slices.Contains(svc.SSH.MACs, "hmac-md5")
			if hasGroup1 != weak || hasMD5 != weak {
				t.Fatalf("weak=%v but group1=%v hmac-md5=%v: kex %v macs %v", weak, hasGroup1, hasMD5, svc.SSH.KexAlgorithms, svc.SSH.MACs)
			}
		})
	}
}

func TestIdentifyNginx(t *testing.T) {
	want := installedVersion(t, `nginx/(\S+)`, "nginx", "-v")
	for _, weak := range []bool{true, false} {
		t.Run(map[bool]string{true: "weak", false: "hardened"}[weak], func(t *testing.T) {
			n := servicelab.StartNginx(t, weak)

			web := identifyPort(t, n.HTTP)
			if web.Name != "http" || web.Product != "nginx" || web.Version != want {
				t.Fatalf("http port: got %q %q %q, want http nginx %s", web.Name, web.Product, web.Version, want)
			}
			if listing := strings.Contains(web.HTTP.Body, "Index of /"); listing != weak {
				t.Fatalf("weak=%v but directory listing in body=%v: %q", weak, listing, web.HTTP.Body)
			}

			secure := identifyPort(t, n.HTTPS)
			if secure.Name != "https" || secure.Product != "nginx" || secure.Version != want {
				t.Fatalf("https port: got %q %q %q, want https nginx %s (evidence %v)", secure.Name, secure.Product, secure.Version, want, secure.Evidence)
			}
			tls := secure.TLS
			if tls == nil || tls.Certificate == nil {
				t.Fatalf("no TLS fingerprint: %+v", tls)
			}
			if has10 := slices.Contains(tls.Versions, "TLS1.0"); has10 != weak {
				t.Fatalf("weak=%v but TLS1.0 offered=%v (versions %v)", weak, has10, tls.Versions)
			}
			if !weak && !slices.Contains(tls.Versions, "TLS1.3") {
				t.Fatalf("hardened copy offers TLS 1.3 but probe saw %v", tls.Versions)
			}
			cert := tls.Certificate
			if cert.SelfSigned != weak || !slices.Contains(cert.SANs, "lab.test") || !slices.Contains(cert.SANs, "127.0.0.1") {
				t.Fatalf("certificate: %+v", cert)
			}
			if d := cert.NotAfter.Sub(n.Cert.NotAfter); d > time.Second || d < -time.Second {
				t.Fatalf("NotAfter %v, want %v", cert.NotAfter, n.Cert.NotAfter)
			}
			wantKey := map[bool]string{true: "RSA", false: "ECDSA"}[weak]
			wantBits := map[bool]int{true: 2048, false: 256}[weak]
			if cert.KeyType != wantKey || cert.KeyBits != wantBits {
				t.Fatalf("key %s %d, want %s %d", cert.KeyType, cert.KeyBits, wantKey, wantBits)
			}
			for version, suites := range tls.CipherSuites {
				if len(suites) == 0 {
					t.Fatalf("version %s accepted but no suites recorded", version)
				}
			}
			if !weak && len(tls.CipherSuites["TLS1.2"]) != 3 {
				t.Fatalf("hardened copy accepts exactly 3 TLS 1.2 suites, probe saw %v", tls.CipherSuites["TLS1.2"])
			}
		})
	}
}

func TestIdentifyRedis(t *testing.T) {
	want := installedVersion(t, `v=(\S+)`, "redis-server", "--version")
	for _, password := range []string{"", "lab-password-1"} {
		t.Run(map[bool]string{true: "open", false: "password"}[password == ""], func(t *testing.T) {
			svc := identifyPort(t, servicelab.Redis(t, password))
			if svc.Name != "redis" || svc.Product != "Redis" {
				t.Fatalf("got %q %q", svc.Name, svc.Product)
			}
			if password == "" && (svc.Version != want || svc.Evidence["auth"] != "none") {
				t.Fatalf("open redis: version %q auth %q, want %s none", svc.Version, svc.Evidence["auth"], want)
			}
			if password != "" && svc.Evidence["auth"] != "required" {
				t.Fatalf("redis with a password: auth %q, want required", svc.Evidence["auth"])
			}
		})
	}
}

func TestIdentifyPostgres(t *testing.T) {
	for _, trust := range []bool{true, false} {
		t.Run(map[bool]string{true: "trust", false: "scram"}[trust], func(t *testing.T) {
			svc := identifyPort(t, servicelab.Postgres(t, trust))
			if svc.Name != "postgresql" || svc.Product != "PostgreSQL" {
				t.Fatalf("got %q %q (banner %q)", svc.Name, svc.Product, svc.Banner)
			}
			if trust && (svc.Evidence["auth"] != "none" || !regexp.MustCompile(`^\d+\.\d+$`).MatchString(svc.Version)) {
				t.Fatalf("trusting postgres: auth %q version %q", svc.Evidence["auth"], svc.Version)
			}
			if !trust && svc.Evidence["auth"] != "scram-sha-256" {
				t.Fatalf("hardened postgres: auth %q, want scram-sha-256", svc.Evidence["auth"])
			}
		})
	}
}

func TestIdentifyVSFTPD(t *testing.T) {
	svc := identifyPort(t, servicelab.VSFTPD(t))
	if svc.Name != "ftp" || svc.Product != "vsftpd" || !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(svc.Version) {
		t.Fatalf("got %q %q %q (banner %q)", svc.Name, svc.Product, svc.Version, svc.Banner)
	}
}

// A port that accepts and never speaks costs the budget, not minutes.
func TestIdentifySilentPortStaysInBudget(t *testing.T) {
	ln, err := net.Listen("tcp", servicelab.Addr(freeport.Port(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // read nothing, write nothing
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	budget := time.Second
	start := time.Now()
	svc, err := Identify(context.Background(), loopback, ln.Addr().(*net.TCPAddr).Port, Options{Timeout: budget})
	elapsed := time.Since(start)
	if err != nil || svc.Name != "" {
		t.Fatalf("silent port: %+v, %v", svc, err)
	}
	// the contract, not a performance figure: the budget bounds the wait
	if elapsed > budget+2*time.Second {
		t.Fatalf("silent port took %s with a %s budget", elapsed, budget)
	}
}

func TestIdentifyClosedPort(t *testing.T) {
	_, err := Identify(context.Background(), loopback, freeport.Port(t), Options{Timeout: time.Second})
	if err == nil {
		t.Fatal("a closed port must return an error")
	}
}
