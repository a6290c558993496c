package fingerprint

import "testing"

// Parser benchmarks: every open port's answers go through these.
// go test ./runtime/scanner/fingerprint -run XXX -bench . -benchtime 2000x

func BenchmarkParseKexInit(b *testing.B) {
	packet := kexInitPacket(openSSHKex, "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256", "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com", "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseKexInit(packet); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseHTTPResponse(b *testing.B) {
	answer := []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 03 Jun 2024 10:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 615\r\nConnection: close\r\n\r\n<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head></html>")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHTTPResponse(answer); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRedisReply(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseRedisReply(redisInfoAnswer); !ok {
			b.Fatal("not recognised")
		}
	}
}

// BenchmarkRecogniseBanner is the cost of naming a banner-first service (all recognisers
// tried in order until the banner table matches).
func BenchmarkRecogniseBanner(b *testing.B) {
	answer := []byte("220 mx.example.org ESMTP Exim 4.96 Mon, 03 Jun 2024 10:00:00 +0000\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := recognise(builtinProbes[0], answer, nil); !ok {
			b.Fatal("not recognised")
		}
	}
}

func BenchmarkRecogniseUnknown(b *testing.B) {
	answer := []byte("\x00\x00\x00\x10unknown protocol answer here")
	b.ReportAllocs()
	for b.Loop() {
		recognise(builtinProbes[0], answer, nil)
	}
}
