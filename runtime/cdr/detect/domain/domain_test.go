package domain

import "testing"

func TestSplit(t *testing.T) {
	tests := []struct{ name, registered, label, sub string }{
		{"example.com", "example.com", "example", ""},
		{"www.example.com", "example.com", "example", "www"},
		{"a.b.example.co.uk", "example.co.uk", "example", "a.b"},
		{"example.co.uk", "example.co.uk", "example", ""},
		{"co.uk", "co.uk", "co", ""},
		{"localhost", "localhost", "localhost", ""},
		{"x.y.de", "y.de", "y", "x"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		reg, label, sub := Split(tt.name)
		if reg != tt.registered || label != tt.label || sub != tt.sub {
			t.Errorf("Split(%q) = %q, %q, %q; want %q, %q, %q", tt.name, reg, label, sub, tt.registered, tt.label, tt.sub)
		}
	}
}
