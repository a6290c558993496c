package cache

import (
	"net/http"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
)

func TestLifetime(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	tenDaysOld := now.Add(-240 * time.Hour).Format(http.TimeFormat)
	rules, err := CompileRules([]config.RefreshRule{
		{Pattern: `\.deb$`, Min: "1h", Percent: 50, Max: "72h"},
		{Pattern: `/Release$`, IgnoreCase: true, Min: "5m", Max: "5m", OverrideExpire: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		url    string
		header http.Header
		want   time.Duration
	}{
		{"s-maxage wins over max-age", "http://a/x", http.Header{"Cache-Control": {"max-age=10, s-maxage=20"}}, 20 * time.Second},
		{"max-age", "http://a/x", http.Header{"Cache-Control": {"max-age=10"}}, 10 * time.Second},
		{"expires", "http://a/x", http.Header{"Date": {date}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, time.Hour},
		{"invalid expires is expired", "http://a/x", http.Header{"Expires": {"0"}}, 0},
		{"heuristic 10% of last-modified age", "http://a/x", http.Header{"Date": {date}, "Last-Modified": {tenDaysOld}}, 24 * time.Hour},
		{"nothing: not fresh", "http://a/x", http.Header{}, 0},
		{"rule percent capped by max", "http://a/p.deb", http.Header{"Date": {date}, "Last-Modified": {tenDaysOld}}, 72 * time.Hour},
		{"rule min without last-modified", "http://a/p.deb", http.Header{}, time.Hour},
		{"explicit beats a rule", "http://a/p.deb", http.Header{"Cache-Control": {"max-age=7"}}, 7 * time.Second},
		{"override_expire beats explicit", "http://a/dists/RELEASE", http.Header{"Cache-Control": {"max-age=0"}}, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := rules.Lifetime(tt.url, tt.header, now); got != tt.want {
			t.Errorf("%s: Lifetime = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestStorable(t *testing.T) {
	tests := []struct {
		name   string
		method string
		req    http.Header
		status int
		resp   http.Header
		want   bool
	}{
		{"plain 200", "GET", http.Header{}, 200, http.Header{}, true},
		{"POST", "POST", http.Header{}, 200, http.Header{}, false},
		{"206", "GET", http.Header{}, 206, http.Header{}, false},
		{"500", "GET", http.Header{}, 500, http.Header{}, false},
		{"no-store", "GET", http.Header{}, 200, http.Header{"Cache-Control": {"no-store"}}, false},
		{"request no-store", "GET", http.Header{"Cache-Control": {"no-store"}}, 200, http.Header{}, false},
		{"private", "GET", http.Header{}, 200, http.Header{"Cache-Control": {"private"}}, false},
		{"authorization", "GET", http.Header{"Authorization": {"Basic x"}}, 200, http.Header{}, false},
		{"authorization public", "GET", http.Header{"Authorization": {"Basic x"}}, 200, http.Header{"Cache-Control": {"public"}}, true},
		{"set-cookie", "GET", http.Header{}, 200, http.Header{"Set-Cookie": {"a=b"}}, false},
		{"vary star", "GET", http.Header{}, 200, http.Header{"Vary": {"Accept, *"}}, false},
		{"404", "GET", http.Header{}, 404, http.Header{}, true},
	}
	for _, tt := range tests {
		if got, why := Storable(tt.method, tt.req, tt.status, tt.resp); got != tt.want {
			t.Errorf("%s: Storable = %v (%s), want %v", tt.name, got, why, tt.want)
		}
	}
}
