package findings

import "context"

// Sink is one destination of findings. Send is called from the publisher's goroutine only,
// one finding at a time.
type Sink interface {
	Name() string
	Send(ctx context.Context, f *Finding) error
	Close() error
}
