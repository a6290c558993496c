package inspect

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

func TestRefusedPartHeaders(t *testing.T) {
	const ct = "multipart/form-data; boundary=XyZ"
	tests := []struct {
		name, contentType, body string
		want                    []string
	}{
		{"valid parts", ct, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain\r\n\r\none\r\n--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"résumé.pdf\"\r\n\r\ntwo\r\n--XyZ--\r\n", nil},
		{"space in a name is read by Go", ct, "--XyZ\r\nContent- Disposition: form-data; name=\"a\"\r\n\r\none\r\n--XyZ--\r\n", nil},
		{"control character before a name", ct, "--XyZ\r\n\x0eContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\none\r\n--XyZ--", []string{"\x0eContent-Disposition: form-data; name=\"a\""}},
		{"DEL in a name", ct, "--XyZ\nContent\x7f-Disposition: form-data; name=\"a\"\n\none\n--XyZ--\n", []string{"Content\x7f-Disposition: form-data; name=\"a\""}},
		{"control character in a value", ct, "--XyZ\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\none\r\n--XyZ--", []string{"Content-Disposition: form-data; name=\"a\x01\""}},
		{"line without colon", ct, "--XyZ\r\nfoo\r\n\r\none\r\n--XyZ--", []string{"foo"}},
		{"content that looks like a header is content", ct, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\x0eX: y\r\n--XyZ--", nil},
		{"delimiter inside content is not a part", ct, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx--XyZ\r\n\x0eX: y\r\n\r\n--XyZ--", nil},
		{"body cut inside a header block", ct, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\x0eX: y", []string{"\x0eX: y"}},
		{"body cut after a delimiter", ct, "--XyZ", nil},
		{"not multipart", "application/x-www-form-urlencoded", "--XyZ\r\n\x0eX: y\r\n\r\n", nil},
		{"no boundary", "multipart/form-data", "--XyZ\r\n\x0eX: y\r\n\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refusedPartHeaders(tt.contentType, []byte(tt.body)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestUnreadablePartHeaderIsNamed: a part header with a control character stops the body
// parser (200002, which refuses the request in block mode); rule 922130, written for such
// headers, must still see it, so that detect mode names the attack.
func TestUnreadablePartHeaderIsNamed(t *testing.T) {
	in := inspectorFor(t, &config.Policy{Mode: "detect"})
	body := []byte("--XyZ\r\n\x0eContent-Disposition: form-data; name=\"file\"; filename=\"1.php\"\r\nContent-Disposition: form-data; name=\"post\"\r\n\r\n<?php echo 1; ?>\r\n--XyZ--\r\n")
	v := inspect(in, newRequest(http.MethodPost, "/upload", "multipart/form-data; boundary=XyZ", body), body)
	if !slices.Contains(v.RuleIDs(), 922130) {
		t.Errorf("rules %v, want 922130", v.RuleIDs())
	}
	valid := []byte("--XyZ\r\nContent-Disposition: form-data; name=\"post\"\r\n\r\nhello\r\n--XyZ--\r\n")
	if v := inspect(in, newRequest(http.MethodPost, "/upload", "multipart/form-data; boundary=XyZ", valid), valid); v.Matched() {
		t.Errorf("a valid multipart body matched %v", v.RuleIDs())
	}
}

func BenchmarkRefusedPartHeaders(b *testing.B) {
	body := []byte("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" + string(make([]byte, 64<<10)) + "\r\n--XyZ--\r\n")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if refusedPartHeaders("multipart/form-data; boundary=XyZ", body) != nil {
			b.Fatal("valid body refused")
		}
	}
}

// FuzzRefusedPartHeaders: bodies cut anywhere (ProcessPartial) or malformed in any way
// must never panic, and only lines of the body are returned.
func FuzzRefusedPartHeaders(f *testing.F) {
	f.Add([]byte("--XyZ\r\n\x0eContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--XyZ--"))
	f.Add([]byte("--XyZ\r\nA: b\r\n"))
	f.Add([]byte("--XyZ"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, line := range refusedPartHeaders("multipart/form-data; boundary=XyZ", body) {
			if !bytes.Contains(body, []byte(line)) {
				t.Fatalf("line %q is not in the body", line)
			}
		}
	})
}
