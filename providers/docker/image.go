package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/rampart-sec/rampart/runtime/appliance"
)

// caBundlePath is the host's CA bundle, copied into built images so runtimes can verify
// TLS peers (syslog over TLS, upstreams).
const caBundlePath = "/etc/ssl/certs/ca-certificates.crt"

// containerConfigDir is where the runtime configuration lives in the container. It is
// an anonymous volume: the root filesystem is read-only, and the archive API may write
// into a volume of a read-only container (before start and while it runs).
const (
	containerConfigDir  = "/etc/rampart"
	containerConfigFile = containerConfigDir + "/config.json"
)

// runtimeUser is the user runtimes run as in built images: nobody.
const runtimeUser = "65534:65534"

// builtImageRef is the tag of the image built from a runtime binary. The digest prefix
// makes it change whenever the binary does, and never otherwise.
func builtImageRef(kind appliance.Kind, binarySHA256 string) string {
	return fmt.Sprintf("rampart/%s:%s-%s", kind.Name, Version, binarySHA256[:12])
}

// ensureImage returns the id of the image ref, building it from binary when it does not
// exist yet. The same binary never rebuilds.
func (p *placement) ensureImage(ctx context.Context, cli *client.Client, kind appliance.Kind, ref string, binary runtimes.Binary, progress sdk.Progress) (string, error) {
	inspected, err := cli.ImageInspect(ctx, ref)
	if err == nil {
		return inspected.ID, nil
	}
	if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect image %s: %w", ref, err)
	}
	progress("building image %s from %s", ref, binary.Path)
	buildContext, err := imageContext(kind, binary.Path)
	if err != nil {
		return "", err
	}
	labels := map[string]string{labelKind: kind.Name, labelBinary: binary.SHA256}
	for k, v := range p.extraLabels {
		labels[k] = v
	}
	resp, err := cli.ImageBuild(ctx, bytes.NewReader(buildContext), build.ImageBuildOptions{
		Tags:        []string{ref},
		Labels:      labels,
		Remove:      true,
		ForceRemove: true,
		Dockerfile:  "Dockerfile",
	})
	if err != nil {
		return "", fmt.Errorf("build image %s: %w", ref, err)
	}
	defer resp.Body.Close()
	if err := followBuild(resp.Body, progress); err != nil {
		return "", fmt.Errorf("build image %s: %w", ref, err)
	}
	inspected, err = cli.ImageInspect(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("inspect image %s after building it: %w", ref, err)
	}
	progress("built image %s (%s)", ref, shortID(inspected.ID))
	return inspected.ID, nil
}

// dockerfile is the recipe of a built image: nothing but the static runtime binary, the
// CA bundle and an empty configuration directory owned by the runtime's user.
func dockerfile(binaryName string) string {
	return fmt.Sprintf(`FROM scratch
COPY ca-certificates.crt %s
COPY %s /%s
COPY --chown=%s rampart/ %s/
USER %s
`, caBundlePath, binaryName, binaryName, runtimeUser, containerConfigDir, runtimeUser)
}

// imageContext builds the tar build context of kind's image.
func imageContext(kind appliance.Kind, binaryPath string) ([]byte, error) {
	binary, err := os.ReadFile(binaryPath)
	if err != nil {
		return nil, fmt.Errorf("read runtime binary: %w", err)
	}
	ca, err := os.ReadFile(caBundlePath)
	if err != nil {
		return nil, fmt.Errorf("read CA bundle (install the ca-certificates package): %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"Dockerfile", 0o644, []byte(dockerfile(kind.Binary))},
		{"ca-certificates.crt", 0o644, ca},
		{filepath.Base(kind.Binary), 0o755, binary},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			return nil, fmt.Errorf("build context: %w", err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("build context: %w", err)
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: "rampart/", Typeflag: tar.TypeDir, Mode: 0o700}); err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	return buf.Bytes(), nil
}

// buildMessage is one line of the engine's build output stream.
type buildMessage struct {
	Stream      string `json:"stream"`
	Error       string `json:"error"`
	ErrorDetail struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// followBuild reads the build output, passing steps on as progress, and returns the
// build's error, if any.
func followBuild(body io.Reader, progress sdk.Progress) error {
	dec := json.NewDecoder(body)
	for {
		var msg buildMessage
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read build output: %w", err)
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
		if line := strings.TrimSpace(msg.Stream); strings.HasPrefix(line, "Step ") {
			progress("  %s", line)
		}
	}
}

// shortID is the 12 first hex digits of an id such as sha256:abcd...
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	return id[:min(12, len(id))]
}
