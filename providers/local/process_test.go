package local

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigArg(t *testing.T) {
	tests := []struct {
		args []string
		want string
		ok   bool
	}{
		{[]string{"-config", "/a/config.json"}, "/a/config.json", true},
		{[]string{"--config", "/a/config.json"}, "/a/config.json", true},
		{[]string{"-config=/a/config.json"}, "/a/config.json", true},
		{[]string{"-v", "-config", "rel.json"}, "rel.json", true},
		{[]string{"config", "/a"}, "", false},
		{[]string{"-config"}, "", false},
		{[]string{"-configx", "/a"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := configArg(tt.args)
		if got != tt.want || ok != tt.ok {
			t.Errorf("configArg(%q) = %q, %v; want %q, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestOwnsProcess(t *testing.T) {
	self := os.Getpid()
	if !ownsProcess(self, os.Args[0]) {
		t.Errorf("ownsProcess(self, %q) = false, want true", os.Args[0])
	}
	if ownsProcess(self, "/no/such/config.json") {
		t.Error("ownsProcess with a path not in the command line = true, want false")
	}
	if ownsProcess(self, "") {
		t.Error("ownsProcess with an empty path = true, want false")
	}
	if ownsProcess(0, os.Args[0]) {
		t.Error("ownsProcess(0) = true, want false")
	}
}

func TestProcessEnvIsMinimal(t *testing.T) {
	t.Setenv("RAMPART_TEST_SECRET_FROM_SHELL", "leak")
	env := processEnv(map[string]string{"WAF_SSL_PASSPHRASE": "p"})
	joined := strings.Join(env, "\n")
	if strings.Contains(joined, "RAMPART_TEST_SECRET_FROM_SHELL") {
		t.Errorf("the plugin's environment leaked into the runtime: %q", env)
	}
	if !strings.Contains(joined, "WAF_SSL_PASSPHRASE=p") {
		t.Errorf("env attribute missing: %q", env)
	}
	if os.Getenv("PATH") != "" && !strings.Contains(joined, "PATH=") {
		t.Errorf("PATH missing: %q", env)
	}
}

func TestLastLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runtime.log")
	var lines []string
	for i := range 25 {
		lines = append(lines, strings.Repeat("x", i))
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := lastLines(path, 10)
	if want := strings.Join(lines[15:], "\n"); got != want {
		t.Errorf("lastLines = %q, want %q", got, want)
	}
	if got := lastLines(filepath.Join(t.TempDir(), "missing.log"), 10); !strings.Contains(got, "cannot read") {
		t.Errorf("lastLines of a missing file = %q, want it to say it cannot read it", got)
	}
}
