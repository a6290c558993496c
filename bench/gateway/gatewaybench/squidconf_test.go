package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedSetup is a setup with fixed ports and paths, for golden files.
func fixedSetup(t *testing.T, dir string) setup {
	t.Helper()
	p, err := newPKI()
	if err != nil {
		t.Fatal(err)
	}
	return setup{
		Dir:            dir,
		ProxyPort:      21080,
		CachePort:      21081,
		AdminPort:      21082,
		OriginHTTPPort: 21090,
		OriginTLSPort:  21443,
		Files: pkiFiles{
			OriginCA:        filepath.Join(dir, "origin-ca.pem"),
			InterceptCACert: filepath.Join(dir, "intercept-ca.pem"),
			InterceptCAKey:  filepath.Join(dir, "intercept-ca.key"),
		},
		PKI:          p,
		CacheMiB:     defaultCacheMiB,
		MaxObjectMiB: defaultMaxObjectMiB,
		MaxFDs:       defaultMaxFDs,
	}
}

func TestSquidConfGolden(t *testing.T) {
	got, err := renderSquidConf(fixedSetup(t, "/run-dir/squid"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "squid.conf.golden", got)
}

// TestSquidAcceptsTheConfig has the real Squid parse the configuration the harness
// writes, with the certificate database created by Squid's own helper.
func TestSquidAcceptsTheConfig(t *testing.T) {
	squid, certgen := requireSquid(t)
	dir := openTempDir(t)
	s := fixedSetup(t, filepath.Join(dir, "squid"))
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if s.Files, err = s.PKI.write(dir); err != nil {
		t.Fatal(err)
	}
	confPath, err := prepareSquid(s, certgen)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(squid, "-k", "parse", "-f", confPath).CombinedOutput()
	if err != nil {
		t.Fatalf("squid -k parse: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "ERROR") || strings.Contains(string(out), "FATAL") {
		t.Errorf("squid -k parse reports problems:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "ssl_db", "index.txt")); err != nil {
		t.Errorf("certificate database not created: %v", err)
	}
}

// requireSquid returns the paths of Squid and its certificate helper, or fails saying how
// to install them (skipped only with RAMPART_SKIP_SQUID=1).
func requireSquid(t *testing.T) (squid, certgen string) {
	t.Helper()
	squid, certgen = "/usr/sbin/squid", "/usr/lib/squid/security_file_certgen"
	for _, p := range []string{squid, certgen} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("RAMPART_SKIP_SQUID") == "1" {
				t.Skipf("%s missing and RAMPART_SKIP_SQUID=1", p)
			}
			t.Fatalf("%s is missing: apt-get install -y squid-openssl (or set RAMPART_SKIP_SQUID=1 to skip)", p)
		}
	}
	return squid, certgen
}

func TestCheckTraversableNamesTheClosedDirectory(t *testing.T) {
	closed := filepath.Join(t.TempDir(), "closed")
	if err := os.MkdirAll(filepath.Join(closed, "open", "squid"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	err := checkTraversable(filepath.Join(closed, "open", "squid"))
	if err == nil || !strings.Contains(err.Error(), closed+" (mode") {
		t.Errorf("checkTraversable = %v, want an error naming %s", err, closed)
	}
	if err := os.Chmod(closed, 0o755); err != nil {
		t.Fatal(err)
	}
	// Whether the rest of the path is open depends on the machine (t.TempDir's parent);
	// only /tmp itself is checked as open here.
	if err := checkTraversable("/tmp/x"); err != nil {
		t.Errorf("checkTraversable(/tmp/x) = %v", err)
	}
}

// openTempDir is a temporary directory Squid can reach after dropping root for the user
// proxy: t.TempDir() sits in a directory closed to other users.
func openTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gatewaybench-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
