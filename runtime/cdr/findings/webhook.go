package findings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

// Webhook POSTs each finding as JSON. A failed attempt (network error, 5xx or 429) is
// retried up to Retries times with a doubling pause from 200 ms; 4xx answers are not
// retried (the receiver refused the document). Each attempt has its own timeout.
type Webhook struct {
	url     string
	token   string
	timeout time.Duration
	retries int
	client  *http.Client
	pause   time.Duration // first pause between attempts
}

// NewWebhook builds the sink from its settings (defaults applied by the caller).
func NewWebhook(c *config.Webhook) *Webhook {
	return newPoster(c.URL, c.BearerToken, config.DurationOr(c.Timeout, 5*time.Second), c.Retries)
}

func newPoster(url, token string, timeout time.Duration, retries int) *Webhook {
	return &Webhook{url: url, token: token, timeout: timeout, retries: retries, client: &http.Client{}, pause: 200 * time.Millisecond}
}

// Name implements Sink.
func (w *Webhook) Name() string { return "webhook" }

// Send implements Sink.
func (w *Webhook) Send(ctx context.Context, f *Finding) error {
	body, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode finding: %w", err)
	}
	return w.post(ctx, body)
}

func (w *Webhook) post(ctx context.Context, body []byte) error {
	var last error
	pause := w.pause
	for attempt := 0; attempt <= w.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return ctx.Err()
			}
			pause *= 2
		}
		retry, err := w.attempt(ctx, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			break
		}
	}
	// The URL may carry credentials in its query; name only the scheme and host.
	return fmt.Errorf("webhook %s: %w", redactURL(w.url), last)
}

func (w *Webhook) attempt(ctx context.Context, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "rampart-cdr")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, which may hold a token
		}
		return true, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("status %d", resp.StatusCode)
	default:
		return false, fmt.Errorf("status %d (not retried)", resp.StatusCode)
	}
}

// Close implements Sink.
func (w *Webhook) Close() error {
	w.client.CloseIdleConnections()
	return nil
}
