package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteNginxConfig(t *testing.T) {
	// Fixed paths keep the golden files stable; the files are written to a temp dir.
	dir := t.TempDir()
	crs := filepath.Join(dir, "crs")
	if err := os.MkdirAll(filepath.Join(crs, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"RESPONSE-950-DATA-LEAKAGES.conf", "REQUEST-901-INITIALIZATION.conf", "ssrf.data"} {
		if err := os.WriteFile(filepath.Join(crs, "rules", name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := nginxSetup{
		Dir:            dir,
		Listen:         "127.0.0.1:18083",
		Backend:        "127.0.0.1:18080",
		ModulePath:     "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so",
		UnicodeMapping: "/usr/share/nginx/docs/modsecurity/unicode.mapping",
		CRSDir:         crs,
	}
	path, err := writeNginxConfig(s)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "nginx.conf") {
		t.Errorf("config path = %s", path)
	}
	for _, name := range []string{"nginx.conf", "modsecurity.conf"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name+".golden", []byte(strings.ReplaceAll(string(data), dir, "/WORK")))
		if name == "modsecurity.conf" && strings.Contains(string(data), "RESPONSE-950") {
			t.Error("response rules included; rampart-waf runs them only with response inspection")
		}
	}
}

func TestWriteNginxConfigNeedsTheRules(t *testing.T) {
	dir := t.TempDir()
	_, err := writeNginxConfig(nginxSetup{Dir: dir, CRSDir: filepath.Join(dir, "none")})
	if err == nil || !strings.Contains(err.Error(), "crsdump") {
		t.Errorf("err = %v, want one saying to run crsdump", err)
	}
}
