package fingerprint

import (
	"slices"
	"testing"
)

// Captured or spec-built answers of every protocol we name, through the same recognisers
// Identify uses. Real servers for most of these run in lab_test.go; these cover the ones
// that cannot run here (RDP, SMB, MongoDB, MySQL, DNS, mail, ...).
func TestRecogniseAnswers(t *testing.T) {
	tests := []struct {
		name                   string
		probe                  string
		answer                 []byte
		service, product, ver  string
		evidenceKey, evidenceV string
	}{
		{"openssh", "null", []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), "ssh", "OpenSSH", "9.2p1", "", ""},
		{"dropbear", "null", []byte("SSH-2.0-dropbear_2022.83\r\n"), "ssh", "Dropbear", "2022.83", "", ""},
		{"ssh with pre-banner lines", "null", []byte("Welcome\r\nSSH-2.0-OpenSSH_8.4p1\r\n"), "ssh", "OpenSSH", "8.4p1", "", ""},
		{"vsftpd", "null", []byte("220 (vsFTPd 3.0.3)\r\n"), "ftp", "vsftpd", "3.0.3", "", ""},
		{"proftpd", "null", []byte("220 ProFTPD 1.3.5 Server (Debian) [::ffff:10.0.0.2]\r\n"), "ftp", "ProFTPD", "1.3.5", "", ""},
		{"filezilla", "null", []byte("220-FileZilla Server 1.7.0\r\n220 Please visit https://filezilla-project.org/\r\n"), "ftp", "FileZilla Server", "1.7.0", "", ""},
		{"postfix", "null", []byte("220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n"), "smtp", "Postfix", "", "", ""},
		{"exim", "null", []byte("220 mx.example.org ESMTP Exim 4.96 Mon, 03 Jun 2024 10:00:00 +0000\r\n"), "smtp", "Exim", "4.96", "", ""},
		{"sendmail", "null", []byte("220 host.example.org ESMTP Sendmail 8.15.2/8.15.2; Mon, 3 Jun 2024\r\n"), "smtp", "Sendmail", "8.15.2", "", ""},
		{"exchange", "null", []byte("220 EX01.corp.example.com Microsoft ESMTP MAIL Service ready at Mon, 3 Jun 2024\r\n"), "smtp", "Microsoft Exchange smtpd", "", "", ""},
		{"dovecot pop3", "null", []byte("+OK Dovecot (Debian) ready.\r\n"), "pop3", "Dovecot pop3d", "", "", ""},
		{"dovecot imap", "null", []byte("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n"), "imap", "Dovecot imapd", "", "", ""},
		{"cyrus imap", "null", []byte("* OK [CAPABILITY IMAP4rev1] mail.example.org Cyrus IMAP 3.6.1 server ready\r\n"), "imap", "Cyrus imapd", "3.6.1", "", ""},
		{"mariadb", "null", mysqlGreeting("5.5.5-10.11.6-MariaDB-0+deb12u1"), "mysql", "MariaDB", "10.11.6", "", ""},
		{"mysql 8", "null", mysqlGreeting("8.0.36-0ubuntu0.22.04.1"), "mysql", "MySQL", "8.0.36", "", ""},
		{"mysql refusal", "null", mysqlRefusal(), "mysql", "MySQL", "", "", ""},
		{"redis open", "redis", redisInfoAnswer, "redis", "Redis", "7.2.4", "auth", "none"},
		{"redis noauth", "redis", []byte("-NOAUTH Authentication required.\r\n"), "redis", "Redis", "", "auth", "required"},
		{"redis protected", "redis", []byte("-DENIED Redis is running in protected mode because protected mode is enabled\r\n"), "redis", "Redis", "", "auth", "required"},
		{"mongodb", "mongodb", mongoReply("7.0.12"), "mongodb", "MongoDB", "7.0.12", "", ""},
		{"rdp nla", "rdp", rdpConfirm, "rdp", "Microsoft Terminal Services", "", "security", "credssp"},
		{"rdp tls", "rdp", rdpConfirmTLS, "rdp", "Microsoft Terminal Services", "", "security", "tls"},
		{"smb 3.0.2", "smb", smbNegotiateResponse(0x0302), "smb", "", "3.0.2", "signing", "required"},
		{"smb1 only", "smb", append([]byte{0, 0, 0, 40}, append([]byte("\xffSMB"), make([]byte, 36)...)...), "smb", "", "1", "", ""},
		{"bind", "dns", dnsVersionAnswer("9.18.28-1~deb12u2-Debian"), "dns", "ISC BIND", "9.18.28", "", ""},
		{"dnsmasq", "dns", dnsVersionAnswer("dnsmasq-2.89"), "dns", "dnsmasq", "2.89", "", ""},
		{"unbound", "dns", dnsVersionAnswer("unbound 1.17.1"), "dns", "Unbound", "1.17.1", "", ""},
		{"postgres refusal", "postgres", append([]byte("E\x00\x00\x00\x64"), "SFATAL\x00VFATAL\x00C28000\x00Mno pg_hba.conf entry for host \"10.0.0.5\", user \"postgres\", database \"postgres\", no encryption\x00Fauth.c\x00L543\x00RClientAuthentication\x00\x00"...), "postgresql", "PostgreSQL", "", "", ""},
		{"postgres md5", "postgres", []byte("R\x00\x00\x00\x0c\x00\x00\x00\x05\x01\x02\x03\x04"), "postgresql", "PostgreSQL", "", "auth", "md5"},
		{"apache", "http", []byte("HTTP/1.1 200 OK\r\nDate: Mon, 03 Jun 2024 10:00:00 GMT\r\nServer: Apache/2.4.57 (Debian)\r\nContent-Length: 0\r\n\r\n"), "http", "Apache httpd", "2.4.57", "", ""},
		{"iis", "http", []byte("HTTP/1.1 404 Not Found\r\nServer: Microsoft-IIS/10.0\r\n\r\n"), "http", "Microsoft IIS", "10.0", "", ""},
		{"vnc", "null", []byte("RFB 003.008\n"), "vnc", "VNC", "003.008", "", ""},
		{"tls alert", "tls", []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28}, "tls", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := slices.IndexFunc(builtinProbes, func(p probe) bool { return p.name == tt.probe })
			svc, _, ok := recognise(builtinProbes[i], tt.answer, nil)
			if !ok {
				t.Fatalf("not recognised: %q", tt.answer)
			}
			if svc.Name != tt.service || svc.Product != tt.product || svc.Version != tt.ver {
				t.Fatalf("got %q %q %q, want %q %q %q", svc.Name, svc.Product, svc.Version, tt.service, tt.product, tt.ver)
			}
			if tt.evidenceKey != "" && svc.Evidence[tt.evidenceKey] != tt.evidenceV {
				t.Fatalf("evidence[%s] = %q, want %q", tt.evidenceKey, svc.Evidence[tt.evidenceKey], tt.evidenceV)
			}
		})
	}
}

// Answers that must not be mistaken for a service.
func TestRecogniseRejectsNoise(t *testing.T) {
	noise := [][]byte{
		[]byte("hello\r\n"),
		[]byte("-ERR unknown command 'GET'\r\n"),
		{0x00, 0x01, 0x02, 0x03, 0x04, 0x05},
		[]byte("HTTP/1.1 abc\r\n\r\n"),
	}
	for _, answer := range noise {
		for _, p := range builtinProbes {
			if p.name == "tls" {
				continue
			}
			if svc, _, ok := recognise(p, answer, nil); ok {
				t.Errorf("probe %s: %q recognised as %+v", p.name, answer, svc)
			}
		}
	}
}

func TestParseKexInit(t *testing.T) {
	packet := kexInitPacket(openSSHKex, "ssh-ed25519,rsa-sha2-512", "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com", "umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha1")
	info, err := ParseKexInit(packet)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info.KexAlgorithms, "kex-strict-s-v00@openssh.com") || len(info.KexAlgorithms) != 6 {
		t.Fatalf("kex %v", info.KexAlgorithms)
	}
	if !slices.Equal(info.MACs, []string{"umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha1"}) {
		t.Fatalf("macs %v", info.MACs)
	}
	if !slices.Equal(info.HostKeyAlgs, []string{"ssh-ed25519", "rsa-sha2-512"}) || len(info.Ciphers) != 2 {
		t.Fatalf("host keys %v ciphers %v", info.HostKeyAlgs, info.Ciphers)
	}
	for _, bad := range [][]byte{nil, packet[:10], append([]byte{0xff, 0xff, 0xff, 0xff}, packet[4:]...)} {
		if _, err := ParseKexInit(bad); err == nil {
			t.Fatalf("ParseKexInit(%x) accepted a broken packet", bad)
		}
	}
}

func TestParseHTTPResponse(t *testing.T) {
	info, err := ParseHTTPResponse([]byte("HTTP/1.1 403 Forbidden\r\nserver: nginx/1.25.3\r\nX-Frame-Options: DENY\r\nx-frame-options: SAMEORIGIN\r\n\r\nbody"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != 403 || info.Headers["Server"] != "nginx/1.25.3" || info.Headers["X-Frame-Options"] != "DENY" || info.Body != "body" {
		t.Fatalf("%+v", info)
	}
	for _, bad := range []string{"", "HTTP/1.1 200 OK\r\nServer: x", "SSH-2.0-x\r\n\r\n", "HTTP/1.1 99999 X\r\n\r\n"} {
		if _, err := ParseHTTPResponse([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestProductFromServerHeader(t *testing.T) {
	tests := []struct{ header, product, version string }{
		{"nginx/1.22.1", "nginx", "1.22.1"},
		{"nginx", "nginx", ""},
		{"Apache/2.4.57 (Debian)", "Apache httpd", "2.4.57"},
		{"Docker/28.5.2 (linux)", "Docker", "28.5.2"},
		{"lighttpd/1.4.69", "lighttpd", "1.4.69"},
		{"cloudflare", "cloudflare", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		p, v := ProductFromServerHeader(tt.header)
		if p != tt.product || v != tt.version {
			t.Errorf("%q: got %q %q, want %q %q", tt.header, p, v, tt.product, tt.version)
		}
	}
}
