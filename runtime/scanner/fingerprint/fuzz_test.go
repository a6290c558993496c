package fingerprint

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Every parser of what a scanned host sends is fuzzed; the seeds (real answers) run in every
// `go test`. Run one for real with: go test ./runtime/scanner/fingerprint -fuzz FuzzRecognise

func FuzzParseSSHBanner(f *testing.F) {
	for _, s := range []string{"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "SSH-1.99-Cisco-1.25", "SSH-2.0-", "SSH-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		product, version, ok := ParseSSHBanner(line)
		if !ok && (product != "" || version != "") {
			t.Fatal("values without ok")
		}
	})
}

func FuzzParseKexInit(f *testing.F) {
	f.Add(kexInitPacket(openSSHKex, "ssh-ed25519", "aes128-ctr", "hmac-sha2-256"))
	f.Add([]byte{0, 0, 0, 5, 4, 20})
	f.Fuzz(func(t *testing.T, packet []byte) {
		info, err := ParseKexInit(packet)
		if err == nil && info == nil {
			t.Fatal("nil info without error")
		}
	})
}

func FuzzParseHTTPResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 2\r\n\r\nok"))
	f.Add([]byte("HTTP/1.0 302 Found\nLocation: /\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseHTTPResponse(data)
		if err == nil && (len(info.Body) > maxHTTPBody || info.Status < 100) {
			t.Fatalf("bad result %+v", info)
		}
		httpComplete(data)
	})
}

func FuzzParseRedisReply(f *testing.F) {
	f.Add(redisInfoAnswer)
	f.Add([]byte("-NOAUTH Authentication required.\r\n"))
	f.Add([]byte("$-1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseRedisReply(data)
		redisComplete(data)
	})
}

func FuzzParsePostgresReply(f *testing.F) {
	f.Add([]byte("R\x00\x00\x00\x08\x00\x00\x00\x00S\x00\x00\x00\x19server_version\x0015.18\x00Z\x00\x00\x00\x05I"))
	f.Add([]byte("E\x00\x00\x00\x10SFATAL\x00C28000\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParsePostgresReply(data)
		postgresComplete(data)
	})
}

func FuzzParseMySQLGreeting(f *testing.F) {
	f.Add(mysqlGreeting("5.5.5-10.11.6-MariaDB-0+deb12u1"))
	f.Add(mysqlRefusal())
	f.Fuzz(func(t *testing.T, data []byte) { ParseMySQLGreeting(data) })
}

func FuzzParseMongoReply(f *testing.F) {
	f.Add(mongoReply("7.0.12"))
	f.Fuzz(func(t *testing.T, data []byte) { ParseMongoReply(data) })
}

func FuzzParseDNSVersionReply(f *testing.F) {
	f.Add(dnsVersionAnswer("9.18.28-1~deb12u2-Debian"))
	f.Add(dnsVersionQuery())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ok := ParseDNSVersionReply(data)
		if ok {
			dnsProduct(r.Version)
		}
	})
}

func FuzzParseRDPReply(f *testing.F) {
	f.Add(rdpConfirm)
	f.Add(rdpConfirmTLS)
	f.Fuzz(func(t *testing.T, data []byte) { ParseRDPReply(data) })
}

func FuzzParseSMBReply(f *testing.F) {
	f.Add(smbNegotiateResponse(0x0311))
	f.Add(smbNegotiate())
	f.Fuzz(func(t *testing.T, data []byte) { ParseSMBReply(data) })
}

func FuzzMatchBanner(f *testing.F) {
	for _, s := range []string{"220 (vsFTPd 3.0.3)\r\n", "220 mx ESMTP Exim 4.96 x", "* OK Dovecot ready.", "+OK POP3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, banner string) {
		MatchBanner(banner)
		if p := printable([]byte(banner)); len(p) > 256 {
			t.Fatal("printable too long")
		}
	})
}

// FuzzRecognise runs every recogniser on every probe's answer, as Identify does.
func FuzzRecognise(f *testing.F) {
	seeds := [][]byte{
		[]byte("SSH-2.0-OpenSSH_9.2p1\r\n"), redisInfoAnswer, mongoReply("6.0.1"), rdpConfirm,
		smbNegotiateResponse(0x0302), dnsVersionAnswer("unbound 1.17.1"), mysqlGreeting("8.0.36"),
		[]byte("HTTP/1.1 200 OK\r\n\r\n"), {0x16, 3, 3, 0, 0},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range builtinProbes {
			svc, _, ok := recognise(p, data, nil)
			if ok && svc.Name == "" {
				t.Fatalf("probe %s matched without a service name", p.name)
			}
			wantMore(svc, data)
		}
	})
}

func FuzzParseProbesFile(f *testing.F) {
	seed, err := os.ReadFile("testdata/user-probes.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add("Probe TCP X q|\\x00\\r\\n|\nmatch a m=^x(\\d)= p/a/ v/$1/ cpe:/a:b:c/a\n")
	f.Fuzz(func(t *testing.T, file string) {
		pf, err := ParseProbesFile(strings.NewReader(file))
		if err != nil {
			return
		}
		for i := range pf.Probes {
			pf.Probes[i].Match(bytes.Repeat([]byte("x1"), 8))
		}
	})
}
