package servicelab

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
)

// Postgres starts a PostgreSQL cluster of its own on 127.0.0.1. trust makes every local
// TCP login passwordless (the planted weakness); otherwise logins need scram-sha-256.
// PostgreSQL refuses to run as root, so as root the cluster runs as the "postgres" user
// the Debian package creates.
func Postgres(t testing.TB, trust bool) int {
	t.Helper()
	bin := postgresBinDir(t)
	dir := t.TempDir()
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("user postgres missing: run `apt-get install -y postgresql` (%v)", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// the postgres user must reach the cluster directory inside the test's temp dir
		for _, d := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	run(t, initdb)
	method := "scram-sha-256"
	if trust {
		method = "trust"
	}
	hba := fmt.Sprintf("local all all trust\nhost all all 127.0.0.1/32 %s\n", method)
	hbaPath := filepath.Join(data, "pg_hba.conf")
	writeFile(t, hbaPath, hba, 0o600)
	if cred != nil {
		_ = os.Chown(hbaPath, int(cred.Uid), int(cred.Gid))
	}
	p := port(t)
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(p), "-k", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	start(t, describe("postgres", p), cmd, p, filepath.Join(dir, "postgres.log"))
	return p
}

// postgresBinDir is the newest /usr/lib/postgresql/<major>/bin.
func postgresBinDir(t testing.TB) string {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(matches) == 0 {
		need(t, "POSTGRES", "postgres-not-installed", "postgresql")
	}
	sort.Slice(matches, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[i]))))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[j]))))
		return a < b
	})
	return filepath.Dir(matches[len(matches)-1])
}
