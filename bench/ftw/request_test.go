package main

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

func ptr[T any](v T) *T { return &v }

func TestBuildRequest(t *testing.T) {
	headers := yaml.MapSlice{{Key: "User-Agent", Value: "OWASP CRS test agent"}, {Key: "Host", Value: "localhost"}, {Key: "Accept", Value: "*/*"}}
	cases := []struct {
		name string
		in   input
		want string
	}{
		{
			name: "defaults: GET / HTTP/1.1, headers in file order, Connection: close added",
			in:   input{Headers: headers},
			want: "GET / HTTP/1.1\r\nUser-Agent: OWASP CRS test agent\r\nHost: localhost\r\nAccept: */*\r\nConnection: close\r\n\r\n",
		},
		{
			name: "form data is encoded, typed and measured",
			in:   input{Method: ptr("POST"), URI: ptr("/post"), Headers: headers, Data: ptr("var=a b&x=<script>")},
			want: "POST /post HTTP/1.1\r\nUser-Agent: OWASP CRS test agent\r\nHost: localhost\r\nAccept: */*\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 22\r\n\r\nvar=a+b&x=%3Cscript%3E",
		},
		{
			name: "already encoded data is sent as written",
			in:   input{Method: ptr("POST"), Headers: headers, Data: ptr("a=%27")},
			want: "POST / HTTP/1.1\r\nUser-Agent: OWASP CRS test agent\r\nHost: localhost\r\nAccept: */*\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 5\r\n\r\na=%27",
		},
		{
			name: "other content types are not encoded",
			in:   input{Method: ptr("POST"), Headers: yaml.MapSlice{{Key: "Content-Type", Value: "application/json"}}, Data: ptr(`{"a":"b c"}`)},
			want: "POST / HTTP/1.1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}",
		},
		{
			name: "POST without data still gets Content-Length: 0",
			in:   input{Method: ptr("POST"), Version: ptr("HTTP/1.0")},
			want: "POST / HTTP/1.0\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		},
		{
			name: "autocomplete_headers false sends exactly what is written",
			in:   input{Method: ptr("GET"), URI: ptr("/get?a=b"), AutocompleteHeaders: ptr(false), Headers: headers, Data: ptr("x y")},
			want: "GET /get?a=b HTTP/1.1\r\nUser-Agent: OWASP CRS test agent\r\nHost: localhost\r\nAccept: */*\r\n\r\nx y",
		},
		{
			name: "multipart lines end in CRLF",
			in: input{Method: ptr("POST"), AutocompleteHeaders: ptr(false),
				Headers: yaml.MapSlice{{Key: "Content-Type", Value: "multipart/form-data; boundary=b"}}, Data: ptr("--b\nContent-Disposition: form-data; name=\"f\"\n\nv\n--b--\n")},
			want: "POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--b--\r\n",
		},
		{
			name: "a broken request line is kept",
			in:   input{Method: ptr("\tGET"), URI: ptr("/ x"), Version: ptr("JUNK/1.0"), AutocompleteHeaders: ptr(false)},
			want: "\tGET / x JUNK/1.0\r\n\r\n",
		},
		{
			name: "data templates repeat",
			in:   input{Method: ptr("POST"), AutocompleteHeaders: ptr(false), Data: ptr(`a={{ "1" | repeat 5 }}`)},
			want: "POST / HTTP/1.1\r\n\r\na=11111",
		},
		{
			name: "encoded_request is decoded and sent byte for byte",
			// "GET / HTTP/1.0\r\nHost:\r\n\r\n", wrapped like the corpus does
			in:   input{EncodedRequest: "R0VUIC8gSFRUUC8x\nLjANCkhvc3Q6DQoNCg==", URI: ptr("/ignored")},
			want: "GET / HTTP/1.0\r\nHost:\r\n\r\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildRequest(&tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.bytes) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got.bytes, tc.want)
			}
		})
	}
}

func TestBuildRequestRejectsAmbiguousInput(t *testing.T) {
	in := input{Data: ptr("a=b"), EncodedRequest: "R0VUIC8gSFRUUC8xLjANCg0K"}
	if _, err := buildRequest(&in); err == nil || !strings.Contains(err.Error(), "choose between") {
		t.Errorf("err = %v, want the go-ftw sanity error", err)
	}
}

// TestCorpusRequestsBuild renders every stage of the corpus.
func TestCorpusRequestsBuild(t *testing.T) {
	tests, errs := loadCorpus(corpusDir(t))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, ct := range tests {
		for i := range ct.Stages {
			req, err := buildRequest(&ct.Stages[i].Input)
			if err != nil {
				t.Errorf("%s stage %d: %v", ct.ID, i+1, err)
			} else if len(req.bytes) == 0 {
				t.Errorf("%s stage %d: empty request", ct.ID, i+1)
			}
		}
	}
}
