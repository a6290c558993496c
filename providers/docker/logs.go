package docker

import (
	"bytes"
	"context"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// logTailLines is how many log lines a failure quotes.
const logTailLines = "20"

// containerLogs returns the last lines a container wrote, for error messages.
func containerLogs(ctx context.Context, cli *client.Client, id string) string {
	rc, err := cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: logTailLines})
	if err != nil {
		return "(logs unavailable: " + err.Error() + ")"
	}
	defer rc.Close()
	var out bytes.Buffer
	// Without a TTY the engine multiplexes stdout and stderr in one stream.
	if _, err := stdcopy.StdCopy(&out, &out, io.LimitReader(rc, 64<<10)); err != nil && out.Len() == 0 {
		return "(logs unavailable: " + err.Error() + ")"
	}
	return out.String()
}
