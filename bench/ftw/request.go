package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

// wireRequest is a stage's request as bytes on the wire, plus what reading the response
// needs to know.
type wireRequest struct {
	bytes  []byte
	method string // HEAD responses have no body
}

// methodsWithBody is go-ftw's expression, kept as written (its alternation is not
// anchored as a whole), so Content-Length is added exactly when go-ftw adds it.
var methodsWithBody = regexp.MustCompile(`^POST|PUT|PATCH|DELETE$`)

// buildRequest renders a stage's input the way go-ftw does: an encoded (or raw) request
// is sent byte for byte; otherwise the request line, the headers in file order and the
// body, with go-ftw's autocompletion (Content-Type and form encoding for a body,
// Connection: close, Content-Length) unless autocomplete_headers is false.
func buildRequest(in *input) (wireRequest, error) {
	autocomplete := in.AutocompleteHeaders == nil || *in.AutocompleteHeaders
	if in.StopMagic != nil && *in.StopMagic {
		autocomplete = false // the deprecated spelling of autocomplete_headers: false
	}
	hasData := in.Data != nil || in.EncodedData != nil
	if (hasData && (in.EncodedRequest != "" || in.RawRequest != "")) || (in.EncodedRequest != "" && in.RawRequest != "") {
		return wireRequest{}, fmt.Errorf("bad test input: choose between data, encoded_request, or raw_request")
	}
	if in.EncodedRequest != "" {
		raw, err := base64.StdEncoding.DecodeString(in.EncodedRequest) // ignores the \n of wrapped base64
		if err != nil {
			return wireRequest{}, fmt.Errorf("encoded_request is not base64: %w", err)
		}
		return wireRequest{bytes: raw, method: requestMethod(raw)}, nil
	}
	if in.RawRequest != "" {
		return wireRequest{bytes: []byte(in.RawRequest), method: requestMethod([]byte(in.RawRequest))}, nil
	}

	method, uri, version := "GET", "/", "HTTP/1.1"
	if in.Method != nil {
		method = *in.Method
	}
	if in.URI != nil {
		uri = *in.URI
	}
	if in.Version != nil {
		version = *in.Version
	}
	data, err := stageData(in)
	if err != nil {
		return wireRequest{}, err
	}
	headers := newHeaderList(in)

	if len(data) > 0 && autocomplete {
		headers.addIfAbsent("Content-Type", "application/x-www-form-urlencoded")
		data = encodeFormData(headers.get("Content-Type"), data)
	}
	// Multipart bodies must end lines with CRLF; the YAML has LF.
	if strings.HasPrefix(headers.get("Content-Type"), "multipart/form-data;") {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	if autocomplete {
		headers.addIfAbsent("Connection", "close")
		if len(data) > 0 || methodsWithBody.MatchString(method) {
			headers.addIfAbsent("Content-Length", strconv.Itoa(len(data)))
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s\r\n", method, uri, version)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.name, h.value)
	}
	b.WriteString("\r\n")
	b.Write(data)
	return wireRequest{bytes: b.Bytes(), method: method}, nil
}

// stageData is the body: data (a Go template, as in go-ftw) or encoded_data.
func stageData(in *input) ([]byte, error) {
	if in.Data != nil {
		if !strings.Contains(*in.Data, "{{") {
			return []byte(*in.Data), nil
		}
		// The corpus uses only sprig's repeat ({{ "1" | repeat 64200 }}).
		tpl, err := template.New("data").Funcs(template.FuncMap{"repeat": func(n int, s string) string { return strings.Repeat(s, n) }}).Parse(*in.Data)
		if err != nil {
			return nil, fmt.Errorf("data template: %w", err)
		}
		var out bytes.Buffer
		if err := tpl.Execute(&out, nil); err != nil {
			return nil, fmt.Errorf("data template: %w", err)
		}
		return out.Bytes(), nil
	}
	if in.EncodedData != nil {
		data, err := base64.StdEncoding.DecodeString(*in.EncodedData)
		if err != nil {
			return nil, fmt.Errorf("encoded_data is not base64: %w", err)
		}
		return data, nil
	}
	return nil, nil
}

// encodeFormData url-encodes the keys and values of a form body that is not encoded yet,
// as go-ftw does: the corpus writes form parameters unencoded.
func encodeFormData(contentType string, data []byte) []byte {
	if contentType != "application/x-www-form-urlencoded" {
		return data
	}
	if unescaped, err := url.QueryUnescape(string(data)); err != nil || unescaped != string(data) {
		return data // already encoded (or not decodable): sent as written
	}
	var out bytes.Buffer
	for i, token := range strings.Split(string(data), "&") {
		if i > 0 {
			out.WriteByte('&')
		}
		key, value, hasValue := strings.Cut(token, "=")
		out.WriteString(url.QueryEscape(key))
		if hasValue {
			out.WriteByte('=')
			out.WriteString(url.QueryEscape(value))
		}
	}
	return out.Bytes()
}

// requestMethod is the first word of a raw request, for reading its response.
func requestMethod(raw []byte) string {
	line, _, _ := bytes.Cut(raw, []byte(" "))
	return string(bytes.TrimSpace(line))
}

// headerList keeps the headers of a request in order.
type headerList []struct{ name, value string }

func newHeaderList(in *input) headerList {
	var h headerList
	for _, item := range in.Headers {
		name, _ := item.Key.(string)
		h = append(h, struct{ name, value string }{name, fmt.Sprint(item.Value)})
	}
	return h
}

// get returns the first value of name. Like go-ftw's header map, it is exact about case:
// a test that writes "content-type" gets go-ftw's Content-Type added as well.
func (h headerList) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

func (h *headerList) addIfAbsent(name, value string) {
	if h.get(name) == "" {
		*h = append(*h, struct{ name, value string }{name, value})
	}
}
