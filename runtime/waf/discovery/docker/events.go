package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Event is one message of GET /events.
type Event struct {
	Type   string `json:"Type"`   // container, image, network, ...
	Action string `json:"Action"` // start, die, health_status: healthy, ...
	Actor  struct {
		ID         string            `json:"ID"`
		Attributes map[string]string `json:"Attributes"` // image, name and labels
	} `json:"Actor"`
	TimeNano int64 `json:"timeNano"`
}

// EventStream is an open GET /events answer: one JSON object per event, for as long as
// the connection lives.
type EventStream struct {
	resp    *http.Response
	decoder *json.Decoder
}

// Events opens the events stream with the given filters (e.g. {"type": ["container"]}).
// Cancelling ctx closes it.
func (c *Client) Events(ctx context.Context, filters map[string][]string) (*EventStream, error) {
	query := url.Values{}
	if len(filters) > 0 {
		query.Set("filters", filtersQuery(filters))
	}
	resp, err := c.Do(ctx, http.MethodGet, "/events", query, nil, "")
	if err != nil {
		return nil, err
	}
	return &EventStream{resp: resp, decoder: json.NewDecoder(resp.Body)}, nil
}

// Next blocks until the next event, or returns the error that ended the stream.
func (s *EventStream) Next() (Event, error) {
	var e Event
	if err := s.decoder.Decode(&e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Close ends the stream.
func (s *EventStream) Close() error { return s.resp.Body.Close() }

// Backoff is how long FollowEvents waits before reconnecting: Min after the first failure,
// doubling up to Max.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff reconnects quickly after a blip, then at most every 10 s while the engine
// is away.
var DefaultBackoff = Backoff{Min: 100 * time.Millisecond, Max: 10 * time.Second}

// EventHandler receives what FollowEvents sees. Connected is called each time the stream
// (re)opens: events may have been missed while it was closed, so a caller re-lists.
// Disconnected is called with the error that closed or refused it.
type EventHandler struct {
	Connected    func()
	Event        func(Event)
	Disconnected func(error)
}

// FollowEvents keeps an events stream open until ctx ends, reconnecting with backoff.
func (c *Client) FollowEvents(ctx context.Context, filters map[string][]string, backoff Backoff, h EventHandler) {
	if backoff.Min <= 0 || backoff.Max < backoff.Min {
		backoff = DefaultBackoff
	}
	wait := backoff.Min
	for ctx.Err() == nil {
		stream, err := c.Events(ctx, filters)
		if err == nil {
			wait = backoff.Min // connected: the next failure is a fresh one
			if h.Connected != nil {
				h.Connected()
			}
			err = c.readEvents(ctx, stream, h)
		}
		if ctx.Err() != nil {
			return
		}
		if h.Disconnected != nil {
			h.Disconnected(err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		wait = min(wait*2, backoff.Max)
	}
}

func (c *Client) readEvents(ctx context.Context, stream *EventStream, h EventHandler) error {
	defer stream.Close()
	for {
		e, err := stream.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("docker %s: events stream ended: %w", c.endpoint, err)
		}
		if h.Event != nil {
			h.Event(e)
		}
	}
}
