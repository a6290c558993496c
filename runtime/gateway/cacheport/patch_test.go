package cacheport

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/runtime/gateway/config"
	"github.com/rampart-sec/rampart/runtime/gateway/patch"
)

// TestPatchRangeOnUncachedFile: the first client asks for a range of a patch file nobody
// has fetched: the origin gets one request, for the whole file, and that client, then
// ranges, a resume (If-Range) and a multi-range request all get the right bytes from disk.
func TestPatchRangeOnUncachedFile(t *testing.T) {
	const size = 3<<20 + 123
	content := pattern(size)
	var rangedOrigin atomic.Int64
	origin := startOrigin(t, true, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			rangedOrigin.Add(1)
		}
		w.Header().Set("ETag", `"kb5034441"`)
		w.Header().Set("Last-Modified", "Tue, 09 Jan 2024 18:00:00 GMT")
		w.Header().Set("Content-Type", "application/vnd.ms-cab-compressed")
		http.ServeContent(w, r, "", mustTime("Tue, 09 Jan 2024 18:00:00 GMT"), bytes.NewReader(content))
	})
	dir := t.TempDir()
	cfg := &config.Config{Patch: &config.Patch{Directory: dir, AllowedClients: []string{"127.0.0.0/8"}}}
	gw := startGateway(t, origin, cfg)
	c := gw.client(t)
	fileURL := "https://" + originHost + "/windowsupdate/kb5034441.msu"

	resp, got := get(t, c, fileURL, "Range: bytes=1000-1999")
	expectPart(t, "first range (uncached)", resp, got, http.StatusPartialContent, content[1000:2000])

	checks := []struct {
		name    string
		headers []string
		want    []byte
		status  int
	}{
		{"range", []string{"Range: bytes=2000000-2000999"}, content[2000000:2001000], http.StatusPartialContent},
		{"suffix range", []string{"Range: bytes=-500"}, content[size-500:], http.StatusPartialContent},
		{"resume with If-Range", []string{"Range: bytes=3000000-", `If-Range: "kb5034441"`}, content[3000000:], http.StatusPartialContent},
		{"resume with a stale If-Range gets the whole file", []string{"Range: bytes=3000000-", `If-Range: "other"`}, content, http.StatusOK},
		{"whole file", nil, content, http.StatusOK},
	}
	for _, tc := range checks {
		resp, got := get(t, c, fileURL, tc.headers...)
		expectPart(t, tc.name, resp, got, tc.status, tc.want)
	}

	// multi-range: multipart/byteranges with each part's bytes and Content-Range.
	ranges := [][2]int{{0, 99}, {5000, 5099}, {size - 100, size - 1}}
	var spec []string
	for _, r := range ranges {
		spec = append(spec, fmt.Sprintf("%d-%d", r[0], r[1]))
	}
	resp, got = get(t, c, fileURL, "Range: bytes="+strings.Join(spec, ","))
	mediaType, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusPartialContent || mediaType != "multipart/byteranges" {
		t.Fatalf("multi-range: status %d, Content-Type %q; want 206 multipart/byteranges", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(got), params["boundary"])
	for i, r := range ranges {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("multi-range part %d: %v", i, err)
		}
		data, _ := io.ReadAll(part)
		wantRange := fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], size)
		if cr := part.Header.Get("Content-Range"); cr != wantRange || !bytes.Equal(data, content[r[0]:r[1]+1]) {
			t.Errorf("multi-range part %d: Content-Range %q, %d bytes; want %q and the file's bytes", i, cr, len(data), wantRange)
		}
	}

	gw.background.Wait() // the download's last step (sync, rename, metadata) may trail the last byte
	if n := origin.requests.Load(); n != 1 {
		t.Errorf("origin got %d requests, want 1 (one whole fetch)", n)
	}
	if n := rangedOrigin.Load(); n != 0 {
		t.Errorf("origin got %d range requests, want none: the whole file is fetched", n)
	}
	if st := gw.Stats(); st.PatchFiles != 1 || st.PatchBytesUsed != size {
		t.Errorf("stats: %d patch files, %d bytes; want 1 file of %d bytes", st.PatchFiles, st.PatchBytesUsed, size)
	}
	// The file survives a restart: a store opened on the directory finds it whole.
	store, err := patch.Open(dir, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if f := store.Get("https://" + originHost + "/windowsupdate/kb5034441.msu"); f == nil || f.Size != size {
		t.Errorf("reopened store: file %+v, want one of %d bytes", f, size)
	}
}

// TestPatchModeClients: patch mode is open to any domain, but only for clients on
// patch.allowed_clients; anyone else is under the domain policy.
func TestPatchModeClients(t *testing.T) {
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "patch") })
	for _, tc := range []struct {
		allowed    string
		wantStatus int
	}{
		{"127.0.0.0/8", http.StatusOK},       // loopback clients: patch mode, policy bypassed
		{"10.0.0.0/8", http.StatusForbidden}, // not a patch client: denied.test is not allowed
	} {
		cfg := &config.Config{Patch: &config.Patch{Directory: t.TempDir(), AllowedClients: []string{tc.allowed}}}
		gw := startGateway(t, origin, cfg)
		resp, _ := get(t, gw.client(t), "http://denied.test/update.msu")
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("allowed_clients %s: status %d, want %d", tc.allowed, resp.StatusCode, tc.wantStatus)
		}
	}
}

func expectPart(t *testing.T, name string, resp *http.Response, got []byte, status int, want []byte) {
	t.Helper()
	if resp.StatusCode != status || !bytes.Equal(got, want) {
		t.Fatalf("%s: status %d, %d bytes (X-Cache %s); want %d and %d correct bytes",
			name, resp.StatusCode, len(got), resp.Header.Get("X-Cache"), status, len(want))
	}
}

func mustTime(s string) time.Time {
	tm, err := http.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return tm
}

// TestPatchRevalidation: past patch.revalidate the origin is asked whether the file
// changed; a 304 keeps serving it from disk, a new version replaces it.
func TestPatchRevalidation(t *testing.T) {
	var version atomic.Value
	version.Store("v1")
	var conditional atomic.Int64
	origin := startOrigin(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" {
			conditional.Add(1)
		}
		v := version.Load().(string)
		w.Header().Set("ETag", `"`+v+`"`)
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader("content "+v))
	})
	cfg := &config.Config{Patch: &config.Patch{Directory: t.TempDir(), Revalidate: "1ns"}}
	gw := startGateway(t, origin, cfg)
	c := gw.client(t)
	u := origin.URL + "/pkg/tool_1.0.deb"
	get(t, c, u)
	gw.background.Wait()
	for range 2 {
		if resp, got := get(t, c, u); string(got) != "content v1" || resp.Header.Get("X-Cache") != "HIT" {
			t.Fatalf("unchanged file: %q X-Cache %s", got, resp.Header.Get("X-Cache"))
		}
	}
	if conditional.Load() != 2 {
		t.Errorf("origin got %d conditional requests, want 2", conditional.Load())
	}
	version.Store("v2")
	if _, got := get(t, c, u); string(got) != "content v2" {
		t.Errorf("changed file: got %q, want the new version", got)
	}
}
