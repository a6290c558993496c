package command_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/freeport"
)

// TestEveryCommandHasHelpWithExample: --help teaches, for every command.
func TestEveryCommandHasHelpWithExample(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []string{"init", "validate", "fmt", "plan", "apply", "destroy", "show", "state", "import", "output", "status", "version"} {
		r := rampart(t, dir, c, "-help")
		if r.code != 0 {
			t.Errorf("%s -help exited %d: %s", c, r.code, r.stderr)
			continue
		}
		if !strings.HasPrefix(r.stdout, "Usage: rampart "+c) || !strings.Contains(r.stdout, "Example") {
			t.Errorf("%s -help lacks a usage line or an example:\n%s", c, r.stdout)
		}
	}
	r := rampart(t, dir, "-help")
	for _, c := range []string{"init", "plan", "apply", "destroy", "status", "import"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Errorf("rampart -help does not list %s:\n%s", c, r.stdout)
		}
	}
	if r := rampart(t, dir, "plna"); r.code != 1 || !strings.Contains(r.stderr, `unknown command "plna"`) {
		t.Errorf("unknown command: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestFmt(t *testing.T) {
	ugly := "waf \"shop\" {\nlisten {\nhttp=80\naddress   =   \"127.0.0.1\"\n}\n}\n"
	dir := workdir(t, map[string]string{"main.hcl": ugly})
	r := rampart(t, dir, "fmt", "-check")
	if r.code != 3 || strings.TrimSpace(r.stdout) != "main.hcl" {
		t.Fatalf("fmt -check on an unformatted file: exit %d, stdout %q; want 3 and the file name", r.code, r.stdout)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "main.hcl")); string(got) != ugly {
		t.Fatal("fmt -check changed the file")
	}
	mustRampart(t, dir, "fmt")
	got, _ := os.ReadFile(filepath.Join(dir, "main.hcl"))
	want := "waf \"shop\" {\n  listen {\n    http    = 80\n    address = \"127.0.0.1\"\n  }\n}\n"
	if string(got) != want {
		t.Fatalf("formatted:\n%s\nwant:\n%s", got, want)
	}
	if r := rampart(t, dir, "fmt", "-check"); r.code != 0 || r.stdout != "" {
		t.Fatalf("fmt -check on a formatted file: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestStateOutputShowAndDestroyOrder drives the read-only commands and state rm on a small
// applied configuration (the crashy provider needs no processes).
func TestStateOutputShowAndDestroyOrder(t *testing.T) {
	config := crashy(false) + `
variable "token" {
  type      = string
  sensitive = true
  default   = "s3cr3t-value"
}

output "first_port" {
  value = waf.first.listen.http
}

output "token" {
  value     = var.token
  sensitive = true
}
`
	dir := workdir(t, map[string]string{"main.hcl": config})
	mustRampart(t, dir, "init")

	// Secrets are only ever stored encrypted: without a key, apply refuses before it
	// changes anything.
	r := rampart(t, dir, "apply", "-auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, "RAMPART_STATE_KEY is not set") || !strings.Contains(r.stderr, "Nothing was changed.") {
		t.Fatalf("apply with secrets and no key: exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "Creating...") {
		t.Fatalf("apply created appliances although it could not store the secrets:\n%s", r.stdout)
	}
	t.Setenv("RAMPART_STATE_KEY", "correct horse battery staple")

	r = mustRampart(t, dir, "plan", "-out", "next.plan")
	if !strings.Contains(r.stdout, "Plan: 2 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan summary missing:\n%s", r.stdout)
	}
	shown := mustRampart(t, dir, "show", "next.plan").stdout
	if !strings.Contains(shown, "# waf.first will be created") {
		t.Fatalf("show PLANFILE:\n%s", shown)
	}
	applied := mustRampart(t, dir, "apply", "next.plan").stdout
	if strings.Contains(applied, "s3cr3t-value") {
		t.Fatal("apply printed a sensitive value")
	}
	if !strings.Contains(applied, "token = (sensitive)") || !strings.Contains(applied, "first_port = 18999") {
		t.Fatalf("apply outputs:\n%s", applied)
	}

	if got := mustRampart(t, dir, "state", "list").stdout; got != "waf.first\nwaf.second\n" {
		t.Fatalf("state list = %q", got)
	}
	if got := mustRampart(t, dir, "output", "first_port").stdout; got != "18999\n" {
		t.Fatalf("output first_port = %q", got)
	}
	if got := mustRampart(t, dir, "output").stdout; !strings.Contains(got, "token = (sensitive)") || strings.Contains(got, "s3cr3t") {
		t.Fatalf("output lists:\n%s", got)
	}
	state, err := os.ReadFile(filepath.Join(dir, "rampart.state"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), "s3cr3t-value") {
		t.Fatal("the state file holds a secret in clear text")
	}
	if got := mustRampart(t, dir, "state", "show", "waf.first").stdout; !strings.Contains(got, "http") {
		t.Fatalf("state show waf.first:\n%s", got)
	}
	if r := rampart(t, dir, "state", "show", "waf.nope"); r.code != 1 || !strings.Contains(r.stderr, "waf.nope is not in state") {
		t.Fatalf("state show of a missing address: %d %q", r.code, r.stderr)
	}

	// Destroy runs in reverse dependency order: second depends on first.
	destroyed := mustRampart(t, dir, "destroy", "-auto-approve").stdout
	second := strings.Index(destroyed, "waf.second: Destruction complete")
	first := strings.Index(destroyed, "waf.first: Destroying...")
	if second < 0 || first < 0 || second > first {
		t.Fatalf("destroy order wrong (waf.second must finish before waf.first starts):\n%s", destroyed)
	}
	if got := mustRampart(t, dir, "state", "list").stdout; got != "" {
		t.Fatalf("state after destroy = %q", got)
	}

	// state rm forgets without deleting.
	mustRampart(t, dir, "apply", "-auto-approve")
	rm := mustRampart(t, dir, "state", "rm", "waf.second").stdout
	if !strings.Contains(rm, "Removed waf.second from state") {
		t.Fatalf("state rm: %q", rm)
	}
	if got := mustRampart(t, dir, "state", "list").stdout; got != "waf.first\n" {
		t.Fatalf("state list after rm = %q", got)
	}
}

func TestVersion(t *testing.T) {
	r := mustRampart(t, t.TempDir(), "version")
	if !strings.HasPrefix(r.stdout, "rampart v") {
		t.Fatalf("version: %q", r.stdout)
	}
}

// TestApplyAsksForConfirmation: without -auto-approve, only "yes" applies.
func TestApplyAsksForConfirmation(t *testing.T) {
	dir := workdir(t, map[string]string{"main.hcl": crashy(false)})
	mustRampart(t, dir, "init")
	answer := func(input string) result {
		cmd := exec.Command(filepath.Join(binDir, "rampart"), "-chdir="+dir, "apply")
		cmd.Stdin = strings.NewReader(input)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		r := result{stdout: stdout.String(), stderr: stderr.String()}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			r.code = exit.ExitCode()
		}
		return r
	}
	r := answer("no\n")
	if r.code != 1 || !strings.Contains(r.stdout, "Only 'yes' will be accepted") || !strings.Contains(r.stdout, "Apply cancelled.") {
		t.Fatalf("answering no: exit %d\n%s", r.code, r.stdout)
	}
	if got := mustRampart(t, dir, "state", "list").stdout; got != "" {
		t.Fatalf("a cancelled apply changed state: %q", got)
	}
	if r := answer(""); r.code != 1 {
		t.Fatalf("no answer at all (closed stdin) exited %d, want 1", r.code)
	}
	if r := answer("yes\n"); r.code != 0 || !strings.Contains(r.stdout, "Apply complete! Appliances: 2 added") {
		t.Fatalf("answering yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSecretsNeverShown: a secret in a WAF's configuration (a sensitive variable, and a TLS
// passphrase, secret by nature) never appears in plan output, state or the diff of a
// change, even though the local provider reads the running config back without marks.
func TestSecretsNeverShown(t *testing.T) {
	t.Setenv("RAMPART_STATE_KEY", "correct horse battery staple")
	httpPort, adminPort := freeport.Port(t), freeport.Port(t)
	config := func(syslog string) string {
		return fmt.Sprintf(`
variable "syslog" {
  type      = string
  sensitive = true
  default   = %q
}

waf "s" {
  listen {
    http = %d
  }
  admin {
    listen = "127.0.0.1:%d"
  }
  server_pool "app" {
    member {
      address = "127.0.0.1:9"
    }
  }
  site "d" {
    pool = "app"
    policy {
      mode = "off"
    }
  }
  events {
    syslog = var.syslog
  }
}
`, syslog, httpPort, adminPort)
	}
	dir := workdir(t, map[string]string{"main.hcl": config("udp://127.0.0.1:5514")})
	mustRampart(t, dir, "init")
	applied := mustRampart(t, dir, "apply", "-auto-approve")
	t.Cleanup(func() { rampart(t, dir, "destroy", "-auto-approve") })
	if strings.Contains(applied.stdout, "5514") {
		t.Fatalf("apply printed the secret:\n%s", applied.stdout)
	}
	state, _ := os.ReadFile(filepath.Join(dir, "rampart.state"))
	if strings.Contains(string(state), "5514") {
		t.Fatal("state holds the secret in clear text")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config("udp://127.0.0.1:5515")), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := mustRampart(t, dir, "plan")
	if strings.Contains(plan.stdout, "5514") || strings.Contains(plan.stdout, "5515") {
		t.Fatalf("the diff shows the old or new secret:\n%s", plan.stdout)
	}
	if !strings.Contains(plan.stdout, "syslog = (sensitive)") {
		t.Fatalf("the diff does not show the change as (sensitive):\n%s", plan.stdout)
	}
}
