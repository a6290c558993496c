package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// backend is the web server behind the WAF, the minimum of CRS's test backend, albedo
// (github.com/coreruleset/albedo), that the corpus uses:
//   - any request: 200 with an empty body;
//   - POST /reflect: answers with the status, headers and body the JSON request body
//     describes ({"status": 200, "headers": {...}, "body": "...", "encodedBody": "..."}),
//     which is how the response rules (95x) get a response to inspect.
type backend struct {
	server   *http.Server
	listener net.Listener
}

func startBackend() (*backend, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("backend listen: %w", err)
	}
	b := &backend{
		server:   &http.Server{Handler: http.HandlerFunc(serveBackend), ReadHeaderTimeout: 10 * time.Second},
		listener: ln,
	}
	go func() { _ = b.server.Serve(ln) }()
	return b, nil
}

// serveBackend answers every request. It is not an http.ServeMux: a mux answers 404 to
// requests it cannot route by path, such as CONNECT host:port, which has none.
func serveBackend(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && (r.URL.Path == "/reflect" || strings.HasPrefix(r.URL.Path, "/reflect/")) {
		reflect(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
}

func (b *backend) addr() string { return b.listener.Addr().String() }

func (b *backend) close() { _ = b.server.Close() }

// reflectionSpec is albedo's /reflect request body.
type reflectionSpec struct {
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers"`
	Body        string            `json:"body"`
	EncodedBody string            `json:"encodedBody"`
}

func reflect(w http.ResponseWriter, r *http.Request) {
	var spec reflectionSpec
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&spec); err != nil {
		http.Error(w, "Invalid JSON in request body", http.StatusBadRequest)
		return
	}
	if spec.Status != 0 && (spec.Status < 100 || spec.Status > 599) {
		http.Error(w, fmt.Sprintf("Invalid status code: %d", spec.Status), http.StatusBadRequest)
		return
	}
	body := []byte(spec.Body)
	if spec.Body == "" && spec.EncodedBody != "" {
		decoded, err := base64.StdEncoding.DecodeString(spec.EncodedBody)
		if err != nil {
			http.Error(w, "invalid base64 encoding of response body", http.StatusBadRequest)
			return
		}
		body = decoded
	}
	for name, value := range spec.Headers {
		w.Header().Add(name, value)
	}
	status := spec.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
