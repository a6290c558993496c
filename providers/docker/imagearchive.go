package docker

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/jsonmessage"
	"github.com/rampart-sec/rampart/providers/sdk"
)

// maxManifestSize bounds manifest.json, the only file of an archive read by rampart.
const maxManifestSize = 1 << 20

// archiveImage is what an image archive (docker save output) holds: the image's id and
// the tags it was saved with.
type archiveImage struct {
	id   string // sha256:<hex>, the image id the engine gives it once loaded
	tags []string
}

// ref is the reference the container is created from: want when the user names one
// (it must be among the archive's tags), else the archive's first tag, else the id.
func (a archiveImage) ref(want string) (string, error) {
	if want == "" {
		if len(a.tags) > 0 {
			return a.tags[0], nil
		}
		return a.id, nil
	}
	for _, t := range a.tags {
		if t == want || "docker.io/library/"+t == want || "docker.io/"+t == want {
			return t, nil
		}
	}
	return "", fmt.Errorf("the archive holds %s, not %s: set image to one of its tags or leave image out", strings.Join(a.tags, ", "), want)
}

// archiveCache remembers what an archive holds by path, size and modification time:
// planning many appliances from one archive reads it once.
type archiveCache struct {
	mu      sync.Mutex
	entries map[string]archiveEntry
}

type archiveEntry struct {
	size    int64
	modTime time.Time
	image   archiveImage
}

// read returns what the archive at file holds.
func (c *archiveCache) read(file string) (archiveImage, error) {
	info, err := os.Stat(file)
	if err != nil {
		return archiveImage{}, fmt.Errorf("image_archive: %w", err)
	}
	c.mu.Lock()
	e, ok := c.entries[file]
	c.mu.Unlock()
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		return e.image, nil
	}
	img, err := readArchiveManifest(file)
	if err != nil {
		return archiveImage{}, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]archiveEntry{}
	}
	c.entries[file] = archiveEntry{size: info.Size(), modTime: info.ModTime(), image: img}
	c.mu.Unlock()
	return img, nil
}

// readArchiveManifest reads manifest.json of a docker save archive, gzip-compressed or
// not. Both the classic layout (Config "<hex>.json") and the OCI one (Config
// "blobs/sha256/<hex>") name the image's config blob, whose digest is the image id.
func readArchiveManifest(file string) (archiveImage, error) {
	f, err := os.Open(file)
	if err != nil {
		return archiveImage{}, fmt.Errorf("image_archive: %w", err)
	}
	defer f.Close()
	r, err := decompressed(bufio.NewReader(f))
	if err != nil {
		return archiveImage{}, fmt.Errorf("image_archive %s: %w", file, err)
	}
	img, err := manifestFromTar(r)
	if err != nil {
		return archiveImage{}, fmt.Errorf("image_archive %s: %w", file, err)
	}
	return img, nil
}

// decompressed undoes gzip when the stream starts with its magic bytes.
func decompressed(r *bufio.Reader) (io.Reader, error) {
	magic, err := r.Peek(2)
	if err != nil {
		return nil, fmt.Errorf("read: %w (is it a docker save archive?)", err)
	}
	if magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(r)
	}
	return r, nil
}

// manifestFromTar finds manifest.json in a tar stream and reads the first image in it.
func manifestFromTar(r io.Reader) (archiveImage, error) {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return archiveImage{}, errors.New("no manifest.json: write the archive with docker save")
		}
		if err != nil {
			return archiveImage{}, fmt.Errorf("read tar: %w", err)
		}
		if path.Clean(hdr.Name) != "manifest.json" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxManifestSize))
		if err != nil {
			return archiveImage{}, fmt.Errorf("read manifest.json: %w", err)
		}
		return parseManifest(data)
	}
}

// parseManifest reads the first entry of a docker save manifest.json.
func parseManifest(data []byte) (archiveImage, error) {
	var entries []struct {
		Config   string
		RepoTags []string
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return archiveImage{}, fmt.Errorf("manifest.json: %w", err)
	}
	if len(entries) == 0 {
		return archiveImage{}, errors.New("manifest.json lists no image")
	}
	if len(entries) > 1 {
		return archiveImage{}, fmt.Errorf("manifest.json lists %d images; save one image per archive", len(entries))
	}
	hex := strings.TrimSuffix(path.Base(entries[0].Config), ".json")
	if len(hex) != 64 || strings.Trim(hex, "0123456789abcdef") != "" {
		return archiveImage{}, fmt.Errorf("manifest.json: config %q does not name a sha256 digest", entries[0].Config)
	}
	return archiveImage{id: "sha256:" + hex, tags: entries[0].RepoTags}, nil
}

// loadArchive loads the archive into the engine, like docker load --input, unless the
// image is already there. It returns the image id.
func loadArchive(ctx context.Context, cli *client.Client, file string, img archiveImage, progress sdk.Progress) (string, error) {
	if _, err := cli.ImageInspect(ctx, img.id); err == nil {
		return img.id, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect image %s: %w", shortID(img.id), err)
	}
	progress("loading image %s from %s", strings.Join(img.tags, ", "), file)
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("image_archive: %w", err)
	}
	defer f.Close()
	// The engine accepts gzip-compressed archives as they are.
	resp, err := cli.ImageLoad(ctx, f, client.ImageLoadWithQuiet(true))
	if err != nil {
		return "", fmt.Errorf("load %s: %w", file, err)
	}
	defer resp.Body.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(resp.Body, io.Discard, 0, false, nil); err != nil {
		return "", fmt.Errorf("load %s: %w", file, err)
	}
	if _, err := cli.ImageInspect(ctx, img.id); err != nil {
		return "", fmt.Errorf("image %s not found after loading %s: %w", shortID(img.id), file, err)
	}
	progress("loaded image %s", shortID(img.id))
	return img.id, nil
}
