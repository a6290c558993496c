// Command demo runs the quickstart end to end, as `make demo` does: it starts the small
// backend, applies examples/quickstart with the rampart CLI, sends a benign request and an
// attack through the WAF, shows `rampart status`, checks that a second plan has no changes
// and destroys everything. Everything stays on loopback; nothing needs Docker or root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/examples/quickstart/backend"
)

func main() {
	bin := flag.String("bin", "bin", "directory holding rampart, rampart-provider-local and rampart-waf")
	example := flag.String("example", "examples/quickstart", "the example configuration to run")
	flag.Parse()
	if err := run(*bin, *example); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
}

func run(binDir, example string) error {
	binDir, err := filepath.Abs(binDir)
	if err != nil {
		return err
	}
	rampart := filepath.Join(binDir, "rampart")
	if _, err := os.Stat(rampart); err != nil {
		return fmt.Errorf("%s not found: run make build first", rampart)
	}

	step("Starting the backend the WAF protects on 127.0.0.1:18080")
	srv, addr, err := backend.Start("127.0.0.1:18080")
	if err != nil {
		return fmt.Errorf("%w (is another demo still running?)", err)
	}
	defer srv.Close()
	fmt.Println("backend listening on", addr)

	work, err := os.MkdirTemp("", "rampart-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := copyHCL(example, work); err != nil {
		return err
	}
	fmt.Println("working copy of", example, "in", work)

	cli := func(args ...string) (int, error) {
		fmt.Printf("\n$ rampart %s\n", strings.Join(args, " "))
		cmd := exec.Command(rampart, append([]string{"-chdir=" + work}, args...)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), nil
		}
		if err != nil {
			return -1, err
		}
		return 0, nil
	}
	mustCLI := func(args ...string) error {
		code, err := cli(args...)
		if err == nil && code != 0 {
			err = fmt.Errorf("rampart %s exited %d", args[0], code)
		}
		return err
	}

	step("Init, then apply: rampart starts rampart-waf through the local provider")
	if err := mustCLI("init"); err != nil {
		return err
	}
	applied := false
	defer func() {
		if applied {
			step("Cleaning up after a failure")
			_, _ = cli("destroy", "-auto-approve")
		}
	}()
	if err := mustCLI("apply", "-auto-approve"); err != nil {
		return err
	}
	applied = true

	step("Requests through the WAF at http://127.0.0.1:18000")
	benign, err := get("http://127.0.0.1:18000/products?q=blue+shoes")
	if err != nil {
		return err
	}
	fmt.Printf("benign request  GET /products?q=blue+shoes          -> %d\n", benign)
	attack, err := get("http://127.0.0.1:18000/products?id=1%27%20OR%20%271%27%3D%271")
	if err != nil {
		return err
	}
	fmt.Printf("attack request  GET /products?id=1' OR '1'='1       -> %d\n", attack)

	step("What runs now")
	if err := mustCLI("status"); err != nil {
		return err
	}

	step("A second plan finds nothing to do")
	code, err := cli("plan", "-detailed-exitcode")
	if err != nil {
		return err
	}
	fmt.Printf("plan -detailed-exitcode exited %d (0 = no changes)\n", code)

	step("Destroy")
	if err := mustCLI("destroy", "-auto-approve"); err != nil {
		return err
	}
	applied = false

	switch {
	case benign != http.StatusOK:
		return fmt.Errorf("benign request got %d, want 200", benign)
	case attack != http.StatusForbidden:
		return fmt.Errorf("attack got %d, want 403", attack)
	case code != 0:
		return fmt.Errorf("second plan exited %d, want 0 (no changes)", code)
	}
	step("Demo complete: benign 200, attack 403, no drift, everything destroyed")
	return nil
}

func step(s string) { fmt.Printf("\n==> %s\n", s) }

func get(url string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func copyHCL(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return fmt.Errorf("read example %s: %w", from, err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".hcl") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
