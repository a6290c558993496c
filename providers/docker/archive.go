package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

// maxConfigSize bounds what is read back from a container: a configuration is small.
const maxConfigSize = 16 << 20

// copyConfig puts data at containerConfigFile in the container through the archive API,
// readable only by the runtime's user (the file may hold TLS keys).
func copyConfig(ctx context.Context, cli *client.Client, containerID string, data []byte) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Name: "config.json", Mode: 0o400, Size: int64(len(data)), Uid: 65534, Gid: 65534}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("copy config: %w", err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("copy config: %w", err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("copy config: %w", err)
	}
	if err := cli.CopyToContainer(ctx, containerID, containerConfigDir, &buf, container.CopyToContainerOptions{}); err != nil {
		return fmt.Errorf("copy config into container %s: %w", shortID(containerID), err)
	}
	return nil
}

// readConfig reads containerConfigFile back from the container.
func readConfig(ctx context.Context, cli *client.Client, containerID string) ([]byte, error) {
	rc, _, err := cli.CopyFromContainer(ctx, containerID, containerConfigFile)
	if err != nil {
		return nil, fmt.Errorf("read config from container %s: %w", shortID(containerID), err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read config from container %s: %s not in the archive", shortID(containerID), containerConfigFile)
		}
		if err != nil {
			return nil, fmt.Errorf("read config from container %s: %w", shortID(containerID), err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxConfigSize))
		if err != nil {
			return nil, fmt.Errorf("read config from container %s: %w", shortID(containerID), err)
		}
		return data, nil
	}
}
