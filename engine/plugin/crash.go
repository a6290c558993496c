package plugin

import (
	"fmt"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/providers/protocol"
)

// crashSummaryEnd ends the summary of every crash diagnostic; IsCrash looks for it.
const crashSummaryEnd = " exited unexpectedly"

// exitWait bounds how long a failed call waits for go-plugin to notice that the process
// is gone. Waiting lets the stderr tail receive the plugin's last words before we read it.
const exitWait = 5 * time.Second

// CrashError describes a plugin process that died while the engine was using it.
type CrashError struct {
	Provider string   // provider name
	Path     string   // plugin executable
	Pid      int      // process id it had
	Stderr   []string // last lines it wrote to stderr, oldest first
}

// Diagnostic renders the crash as the one error diagnostic a failed call returns.
func (e *CrashError) Diagnostic() protocol.Diagnostic {
	return protocol.Diagnostic{
		Severity: protocol.Error,
		Summary:  fmt.Sprintf("Provider %q%s", e.Provider, crashSummaryEnd),
		Detail:   e.detail(),
	}
}

func (e *CrashError) Error() string {
	d := e.Diagnostic()
	return d.Summary + ": " + d.Detail
}

func (e *CrashError) detail() string {
	var b strings.Builder
	fmt.Fprintf(&b, "The plugin %s (pid %d) stopped while rampart was waiting for it. "+
		"It crashed or was killed (for example by the out-of-memory killer); if it crashed, "+
		"report it to the provider's authors with the output below.", e.Path, e.Pid)
	if len(e.Stderr) == 0 {
		b.WriteString("\n\nIt wrote nothing to stderr. Run with RAMPART_LOG=debug to see its log.")
		return b.String()
	}
	b.WriteString("\n\nLast lines it wrote to stderr:")
	for _, line := range e.Stderr {
		b.WriteString("\n  ")
		b.WriteString(line)
	}
	return b.String()
}

// IsCrash reports whether diags say that a provider process died, as opposed to an
// ordinary error the provider reported. The engine uses it to stop sending work to that
// provider and to tell the user which instance was in flight.
func IsCrash(diags protocol.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == protocol.Error && strings.HasPrefix(d.Summary, "Provider ") &&
			strings.HasSuffix(d.Summary, crashSummaryEnd) {
			return true
		}
	}
	return false
}

// crashDiagnostics replaces the diagnostics of a failed call by the crash diagnostic when
// the failure was the process dying; otherwise it returns diags unchanged.
func (c *Client) crashDiagnostics(diags protocol.Diagnostics) protocol.Diagnostics {
	if !diags.HasErrors() {
		return diags
	}
	if crash := c.crash(); crash != nil {
		return protocol.Diagnostics{crash.Diagnostic()}
	}
	return diags
}

// crashError is crashDiagnostics for calls that return a plain error.
func (c *Client) crashError(err error) error {
	if err == nil {
		return nil
	}
	if crash := c.crash(); crash != nil {
		return crash
	}
	return err
}

// crash returns a CrashError when the plugin process is gone (or its connection is), nil
// when it is alive and the failure was an ordinary one.
func (c *Client) crash() *CrashError {
	if !c.plugin.Exited() {
		// A live plugin answers the health check at once; a dead one fails it at once.
		if c.rpc.Ping() == nil {
			return nil
		}
		c.waitExited(exitWait)
	}
	return &CrashError{Provider: c.meta.Name, Path: c.meta.Path, Pid: c.pid, Stderr: c.stderr.Lines()}
}

// waitExited polls until go-plugin has reaped the process (it first drains the process's
// stderr, so the tail is complete afterwards) or the timeout passes.
func (c *Client) waitExited(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for !c.plugin.Exited() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}
