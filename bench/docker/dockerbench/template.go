package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"slices"
	"strconv"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/go-connections/nat"
	wafconfig "github.com/rampart-sec/rampart/runtime/waf/config"
)

// containerTemplate is what the floor needs to create a container exactly like the ones
// rampart created: it is read back from one of them, so the floor keeps matching the
// provider's settings (read-only root, dropped capabilities, user, tmpfs, restart
// policy, resources, the configuration volume, Docker's health check) without copying
// its code.
type containerTemplate struct {
	Image      string
	Cmd        []string
	Entrypoint []string
	User       string
	Env        []string
	Volumes    map[string]struct{}
	// Healthcheck is Docker's health check of rampart's containers: each check is an
	// exec in the container, CPU the engine host spends for as long as they run, so the
	// floor's containers have it too.
	Healthcheck   *container.HealthConfig
	ContainerPort nat.Port // the published port inside the container
	Host          container.HostConfig
	ConfigPath    string // where the runtime reads its configuration (its -config flag)
	ConfigData    []byte // the rendered configuration rampart delivered
	AdminPort     string // the runtime's admin API port, for /healthz
}

// maxConfigSize bounds what is read back from the container: a configuration is small.
const maxConfigSize = 16 << 20

// captureTemplate inspects a container rampart created and reads its configuration back
// through the archive API.
func captureTemplate(ctx context.Context, cli *client.Client, id string) (containerTemplate, error) {
	info, err := cli.ContainerInspect(ctx, id)
	if err != nil {
		return containerTemplate{}, fmt.Errorf("inspect rampart's container %s: %w", id, err)
	}
	if info.Config == nil || info.HostConfig == nil {
		return containerTemplate{}, fmt.Errorf("inspect rampart's container %s: no configuration in the answer", id)
	}
	t := containerTemplate{
		Image:       info.Config.Image,
		Cmd:         info.Config.Cmd,
		Entrypoint:  info.Config.Entrypoint,
		User:        info.Config.User,
		Env:         info.Config.Env,
		Volumes:     info.Config.Volumes,
		Healthcheck: info.Config.Healthcheck,
		Host:        *info.HostConfig,
	}
	for port := range info.HostConfig.PortBindings {
		t.ContainerPort = port
	}
	if t.ContainerPort == "" {
		return containerTemplate{}, fmt.Errorf("rampart's container %s publishes no port", id)
	}
	t.ConfigPath, err = configFlag(info.Config.Cmd)
	if err != nil {
		return containerTemplate{}, fmt.Errorf("rampart's container %s: %w", id, err)
	}
	t.ConfigData, err = readFile(ctx, cli, id, t.ConfigPath)
	if err != nil {
		return containerTemplate{}, err
	}
	var cfg wafconfig.Config
	if err := json.Unmarshal(t.ConfigData, &cfg); err != nil {
		return containerTemplate{}, fmt.Errorf("decode %s of container %s: %w", t.ConfigPath, id, err)
	}
	cfg.ApplyDefaults()
	_, t.AdminPort, err = net.SplitHostPort(cfg.AdminListen())
	if err != nil {
		return containerTemplate{}, fmt.Errorf("admin.listen %q of container %s: %w", cfg.AdminListen(), id, err)
	}
	return t, nil
}

// configFlag returns the value of -config in a runtime's command line.
func configFlag(cmd []string) (string, error) {
	i := slices.Index(cmd, "-config")
	if i < 0 || i+1 >= len(cmd) {
		return "", fmt.Errorf("no -config in its command %q", cmd)
	}
	return cmd[i+1], nil
}

// readFile reads one regular file out of a container.
func readFile(ctx context.Context, cli *client.Client, id, file string) ([]byte, error) {
	rc, _, err := cli.CopyFromContainer(ctx, id, file)
	if err != nil {
		return nil, fmt.Errorf("read %s from container %s: %w", file, id, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s from container %s: not in the archive", file, id)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s from container %s: %w", file, id, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			return io.ReadAll(io.LimitReader(tr, maxConfigSize))
		}
	}
}

// floorSpec is the container the floor creates for instance i: the template's settings,
// its own name, host port and labels, on the floor's network.
func (t containerTemplate) floorSpec(hostPort int, networkName string, labels map[string]string) (*container.Config, *container.HostConfig, *network.NetworkingConfig) {
	host := t.Host
	host.NetworkMode = container.NetworkMode(networkName)
	bindingIP := "127.0.0.1"
	if old := t.Host.PortBindings[t.ContainerPort]; len(old) > 0 {
		bindingIP = old[0].HostIP
	}
	host.PortBindings = nat.PortMap{t.ContainerPort: {{HostIP: bindingIP, HostPort: strconv.Itoa(hostPort)}}}
	config := &container.Config{
		Image:        t.Image,
		Cmd:          t.Cmd,
		Entrypoint:   t.Entrypoint,
		User:         t.User,
		Env:          t.Env,
		Volumes:      t.Volumes,
		Healthcheck:  t.Healthcheck,
		ExposedPorts: nat.PortSet{t.ContainerPort: {}},
		Labels:       labels,
	}
	networking := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{networkName: {}}}
	return config, &host, networking
}

// configArchive is the tar stream the floor copies into each container: the same file,
// mode and owner the provider writes (readable only by the runtime's user, nobody).
func (t containerTemplate) configArchive() (dir string, archive []byte, err error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{Name: path.Base(t.ConfigPath), Mode: 0o400, Size: int64(len(t.ConfigData)), Uid: 65534, Gid: 65534}
	if err := tw.WriteHeader(hdr); err != nil {
		return "", nil, fmt.Errorf("config archive: %w", err)
	}
	if _, err := tw.Write(t.ConfigData); err != nil {
		return "", nil, fmt.Errorf("config archive: %w", err)
	}
	if err := tw.Close(); err != nil {
		return "", nil, fmt.Errorf("config archive: %w", err)
	}
	return path.Dir(t.ConfigPath), buf.Bytes(), nil
}
