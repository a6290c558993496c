package plugin

import (
	"reflect"
	"strings"
	"testing"
)

func TestStderrTail(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"nothing", nil, nil},
		{"one line in pieces", []string{"pa", "nic: ", "boom\n"}, []string{"panic: boom"}},
		{"several lines in one write", []string{"a\nb\r\n\nc\n"}, []string{"a", "b", "c"}},
		{"partial last line is not kept", []string{"done\nhalf"}, []string{"done"}},
		{"keeps the last lines only", []string{"1\n2\n3\n4\n5\n"}, []string{"3", "4", "5"}},
		{"hclog JSON is made readable", []string{`{"@level":"error","@message":"cannot pull image","@module":"docker","@timestamp":"2026-01-01T00:00:00Z","image":"httpd","attempt":3}` + "\n"},
			[]string{"[ERROR] cannot pull image: attempt=3 image=httpd"}},
		{"JSON-looking text stays as it is", []string{"{not json\n"}, []string{"{not json"}},
		{"long lines are cut", []string{strings.Repeat("x", 600) + "\n"}, []string{strings.Repeat("x", stderrTailLineMax)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tail := newStderrTail(3)
			w := tail.writer()
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := tail.Lines(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lines = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStderrTailWritersDoNotMix(t *testing.T) {
	tail := newStderrTail(4)
	raw, synced := tail.writer(), tail.writer()
	raw.Write([]byte("from fd"))
	synced.Write([]byte("from grpc\n"))
	raw.Write([]byte(" 2\n"))
	want := []string{"from grpc", "from fd 2"}
	if got := tail.Lines(); !reflect.DeepEqual(got, want) {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}
