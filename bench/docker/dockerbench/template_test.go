package main

import (
	"archive/tar"
	"bytes"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"
)

func TestConfigFlag(t *testing.T) {
	tests := []struct {
		cmd     []string
		want    string
		wantErr bool
	}{
		{[]string{"/rampart-waf", "-config", "/etc/rampart/config.json"}, "/etc/rampart/config.json", false},
		{[]string{"/rampart-waf", "-check", "-config", "/c.json"}, "/c.json", false},
		{[]string{"/rampart-waf", "-config"}, "", true},
		{[]string{"/rampart-waf"}, "", true},
		{nil, "", true},
	}
	for _, tt := range tests {
		got, err := configFlag(tt.cmd)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("configFlag(%q) = %q, %v; want %q (error: %v)", tt.cmd, got, err, tt.want, tt.wantErr)
		}
	}
}

// sampleTemplate is what captureTemplate reads from a container the provider created.
func sampleTemplate() containerTemplate {
	port := nat.Port("8080/tcp")
	return containerTemplate{
		Image:         "rampart/waf:0.1.0-0123456789ab",
		Cmd:           []string{"/rampart-waf", "-config", "/etc/rampart/config.json"},
		User:          "65534:65534",
		Env:           []string{"PATH=/usr/bin"},
		Volumes:       map[string]struct{}{"/etc/rampart": {}},
		Healthcheck:   &container.HealthConfig{Test: []string{"CMD", "/rampart-waf", "-healthcheck"}, Interval: 30 * time.Second},
		ContainerPort: port,
		Host: container.HostConfig{
			ReadonlyRootfs: true,
			CapDrop:        []string{"ALL"},
			SecurityOpt:    []string{"no-new-privileges"},
			RestartPolicy:  container.RestartPolicy{Name: "unless-stopped"},
			Tmpfs:          map[string]string{"/tmp": "rw,noexec,nosuid,size=64m"},
			NetworkMode:    "rampart-net",
			PortBindings:   nat.PortMap{port: {{HostIP: "127.0.0.1", HostPort: "17000"}}},
		},
		ConfigPath: "/etc/rampart/config.json",
		ConfigData: []byte(`{"listen":{"http":8080}}`),
		AdminPort:  "9901",
	}
}

// TestFloorSpec: the floor's container keeps every setting of rampart's, with its own
// host port, network and labels, and nothing that would tie it to rampart's container.
func TestFloorSpec(t *testing.T) {
	tmpl := sampleTemplate()
	labels := map[string]string{labelRun: "0a1b2c3d"}
	config, host, networking := tmpl.floorSpec(17005, "floor-net", labels)

	if config.Image != tmpl.Image || !slices.Equal(config.Cmd, tmpl.Cmd) || config.User != tmpl.User {
		t.Errorf("image, command or user changed: %+v", config)
	}
	if _, ok := config.Volumes["/etc/rampart"]; !ok {
		t.Errorf("configuration volume missing: %v", config.Volumes)
	}
	if config.Healthcheck == nil || !slices.Equal(config.Healthcheck.Test, tmpl.Healthcheck.Test) || config.Healthcheck.Interval != tmpl.Healthcheck.Interval {
		t.Errorf("Docker health check %+v, want rampart's %+v", config.Healthcheck, tmpl.Healthcheck)
	}
	if len(config.Labels) != 1 || config.Labels[labelRun] != "0a1b2c3d" {
		t.Errorf("labels %v, want only the run's", config.Labels)
	}
	if _, ok := config.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("8080/tcp not exposed: %v", config.ExposedPorts)
	}
	if !host.ReadonlyRootfs || !slices.Equal(host.CapDrop, []string{"ALL"}) || !slices.Equal(host.SecurityOpt, []string{"no-new-privileges"}) ||
		host.RestartPolicy.Name != "unless-stopped" || host.Tmpfs["/tmp"] == "" {
		t.Errorf("security or restart settings lost: %+v", host)
	}
	want := nat.PortMap{"8080/tcp": {{HostIP: "127.0.0.1", HostPort: "17005"}}}
	if len(host.PortBindings) != 1 || !slices.Equal(host.PortBindings["8080/tcp"], want["8080/tcp"]) {
		t.Errorf("port bindings %v, want %v", host.PortBindings, want)
	}
	if host.NetworkMode != "floor-net" || networking.EndpointsConfig["floor-net"] == nil || len(networking.EndpointsConfig) != 1 {
		t.Errorf("network mode %q, endpoints %v; want only floor-net", host.NetworkMode, networking.EndpointsConfig)
	}
	// The template itself is not changed: every container gets its own port.
	if tmpl.Host.PortBindings["8080/tcp"][0].HostPort != "17000" || tmpl.Host.NetworkMode != "rampart-net" {
		t.Errorf("floorSpec changed the template: %+v", tmpl.Host)
	}
}

// TestConfigArchive: the file goes where the runtime reads it, with the provider's mode
// and owner (readable by nobody only).
func TestConfigArchive(t *testing.T) {
	tmpl := sampleTemplate()
	dir, archive, err := tmpl.configArchive()
	if err != nil {
		t.Fatal(err)
	}
	if dir != "/etc/rampart" {
		t.Errorf("copied into %q, want /etc/rampart", dir)
	}
	tr := tar.NewReader(bytes.NewReader(archive))
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(tr)
	if hdr.Name != "config.json" || hdr.Mode != 0o400 || hdr.Uid != 65534 || hdr.Gid != 65534 || string(data) != string(tmpl.ConfigData) {
		t.Errorf("archive entry %s mode %o uid %d gid %d data %q", hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid, data)
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("more than one entry in the archive: %v", err)
	}
}
