package inspect

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// inspectors keeps the compiled engines of this package's tests alive, so that each
// distinct policy is compiled once per test binary (compiling CRS takes a second or two).
var inspectors = struct {
	sync.Mutex
	byPolicy map[string]*Inspector
}{byPolicy: map[string]*Inspector{}}

// inspectorFor returns the inspector of policy p, compiled once per test binary.
func inspectorFor(t testing.TB, p *config.Policy) *Inspector {
	t.Helper()
	policy, err := PolicyFrom(p)
	if err != nil {
		t.Fatalf("PolicyFrom: %v", err)
	}
	key := directives(&policy) + "\x00" + strings.Join(policy.UploadPaths, ",")
	inspectors.Lock()
	defer inspectors.Unlock()
	if in := inspectors.byPolicy[key]; in != nil {
		return in
	}
	in, err := New(policy)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	inspectors.byPolicy[key] = in
	return in
}

// orderJSON is a 2 KB JSON document with 118 fields: the body of the benchmark POST.
func orderJSON(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/order-118-fields.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newRequest builds a request as a browser would send it through the WAF.
func newRequest(method, target, contentType string, body []byte) *http.Request {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(string(body)))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.Host = "localhost"
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en-US,en;q=0.5")
	r.Header.Set("Accept-Encoding", "gzip, deflate")
	return r
}

// inspect runs the request phases and returns a copy of the verdict.
func inspect(in *Inspector, r *http.Request, body []byte) Verdict {
	tx := in.InspectRequest(r, body, "test")
	defer tx.Close()
	v := *tx.Verdict()
	v.Matches = append([]Match(nil), v.Matches...)
	return v
}
