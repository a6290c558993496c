package servicelab

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Nginx is a running nginx with one plain HTTP and one HTTPS port serving the same site.
type Nginx struct {
	HTTP, HTTPS int
	Cert        CertFiles
}

// StartNginx starts nginx on 127.0.0.1. The weak copy has every planted weakness a scanner
// should report: TLS 1.0 and 1.1 with legacy ciphers (OpenSSL 3 needs @SECLEVEL=0 for them),
// a self-signed certificate that expires in 10 days, directory listing, and no security
// headers. The hardened copy offers TLS 1.2/1.3 with AEAD suites only, a CA-issued
// certificate valid for a year, no listing, and the usual security headers.
func StartNginx(t testing.TB, weak bool) Nginx {
	t.Helper()
	nginx := need(t, "NGINX", "nginx", "nginx")
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	if err := os.MkdirAll(filepath.Join(site, "backups"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(site, "backups", "db.sql"), "-- lab file\n", 0o644)
	n := Nginx{HTTP: port(t), HTTPS: port(t)}
	tlsSettings := `ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers on;`
	location := `add_header Strict-Transport-Security "max-age=63072000" always;
            add_header X-Content-Type-Options nosniff always;
            add_header X-Frame-Options DENY always;
            add_header Content-Security-Policy "default-src 'self'" always;
            autoindex off;`
	server := "server_tokens on;"
	if weak {
		n.Cert = SelfSignedCert(t, dir, 10*24*time.Hour)
		tlsSettings = `ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        ssl_ciphers ALL:@SECLEVEL=0;`
		location = "autoindex on;"
	} else {
		n.Cert = CASignedCert(t, dir, 365*24*time.Hour)
	}
	config := fmt.Sprintf(`daemon off;
master_process on;
worker_processes 1;
user root;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    %[6]s
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[2]d;
        listen 127.0.0.1:%[3]d ssl;
        ssl_certificate %[4]s;
        ssl_certificate_key %[5]s;
        %[7]s
        root %[1]s/site;
        location / {
            %[8]s
        }
    }
}
`, dir, n.HTTP, n.HTTPS, n.Cert.Cert, n.Cert.Key, server, tlsSettings, location)
	configPath := filepath.Join(dir, "nginx.conf")
	writeFile(t, configPath, config, 0o644)
	cmd := exec.Command(nginx, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", configPath)
	start(t, describe("nginx", n.HTTPS), cmd, n.HTTPS, filepath.Join(dir, "nginx.log"))
	return n
}
