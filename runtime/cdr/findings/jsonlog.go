package findings

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// JSONLog writes one JSON document per line per finding to a file (appending) or stdout.
type JSONLog struct {
	name string
	w    io.Writer
	file *os.File // nil for stdout
}

// NewJSONLog opens path for appending; "-" means stdout.
func NewJSONLog(path string) (*JSONLog, error) {
	if path == "-" {
		return &JSONLog{name: "json_log", w: os.Stdout}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open findings log: %w", err)
	}
	return &JSONLog{name: "json_log", w: f, file: f}, nil
}

// Name implements Sink.
func (j *JSONLog) Name() string { return j.name }

// Send implements Sink.
func (j *JSONLog) Send(_ context.Context, f *Finding) error {
	line, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode finding: %w", err)
	}
	_, err = j.w.Write(append(line, '\n'))
	return err
}

// Close implements Sink.
func (j *JSONLog) Close() error {
	if j.file != nil {
		return j.file.Close()
	}
	return nil
}
