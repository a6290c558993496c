package cache

import (
	"testing"
	"time"
)

func TestParseCacheControl(t *testing.T) {
	tests := []struct {
		in   []string
		want CacheControl
	}{
		{nil, CacheControl{}},
		{[]string{"no-store"}, CacheControl{NoStore: true}},
		{[]string{"Private, MAX-AGE=60"}, CacheControl{Private: true, MaxAge: time.Minute, HasMaxAge: true}},
		{[]string{`max-age="30", s-maxage=600`}, CacheControl{MaxAge: 30 * time.Second, HasMaxAge: true, SMaxAge: 10 * time.Minute, HasSMaxAge: true}},
		{[]string{"public", "no-cache"}, CacheControl{Public: true, NoCache: true}},
		{[]string{`private="Set-Cookie, X-A", must-revalidate`}, CacheControl{Private: true, MustRevalidate: true}},
		{[]string{"max-age=abc"}, CacheControl{HasMaxAge: true}}, // invalid: stale
		{[]string{"max-age=-5"}, CacheControl{HasMaxAge: true}},  // invalid: stale
		{[]string{"max-age=99999999999999999999"}, CacheControl{MaxAge: maxDelta * time.Second, HasMaxAge: true}},
		{[]string{" , ,unknown=1, only-if-cached"}, CacheControl{OnlyIfCached: true}},
	}
	for _, tt := range tests {
		if got := ParseCacheControl(tt.in); got != tt.want {
			t.Errorf("ParseCacheControl(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// FuzzCacheControl: any header value parses without panic into non-negative ages.
func FuzzCacheControl(f *testing.F) {
	for _, seed := range []string{"no-store", "max-age=60, s-maxage=600", `private="a, \"b"`, "max-age=", `"`, "max-age=1e9", ",,,=,"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cc := ParseCacheControl([]string{v})
		if cc.MaxAge < 0 || cc.SMaxAge < 0 {
			t.Fatalf("negative age from %q: %+v", v, cc)
		}
	})
}
