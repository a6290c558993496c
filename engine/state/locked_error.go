package state

import (
	"fmt"
	"strings"
	"time"
)

// Error names the holder and says what to do, e.g.
//
//	state rampart.state is locked by apply (root@myhost, pid 4242, since 2026-11-21T23:10:05Z,
//	lock id 6f1c2a9b…): another rampart is running; wait for it, or pass -lock-timeout=60s to
//	wait. If no rampart runs there any more, remove rampart.state.lock
func (e *LockedError) Error() string {
	var b strings.Builder
	b.WriteString("state ")
	if e.State != "" {
		b.WriteString(e.State + " ")
	}
	b.WriteString("is locked")
	if h := e.Holder; h != nil && h.ID != "" {
		fmt.Fprintf(&b, " by %s (%s, pid %d, since %s, lock id %s)",
			h.Operation, h.Who, h.PID, h.Created.UTC().Format(time.RFC3339), shortLockID(h.ID))
	}
	b.WriteString(": another rampart is running; wait for it, or pass -lock-timeout=60s to wait.")
	if e.Path != "" {
		b.WriteString(" If no rampart runs there any more, remove " + e.Path)
	}
	return b.String()
}

// shortLockID keeps the message readable; eight hex digits tell locks apart well enough.
func shortLockID(id string) string {
	const keep = 8
	if len(id) <= keep {
		return id
	}
	return id[:keep] + "…"
}
