package docker

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/zclconf/go-cty/cty"
)

// TestManagedNetworkVolumesAndSocket applies two appliances sharing a managed network,
// one with a bind-mounted directory and the Docker socket, and checks what the engine
// got; the network stays while one container uses it and goes with the last.
func TestManagedNetworkVolumesAndSocket(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	lineage := randomHex(t, 8)
	netName := "rampart-test-" + randomHex(t, 4)
	subnet := fmt.Sprintf("10.231.%d.0/24", rand.IntN(250)+1)
	t.Cleanup(func() { _ = cli.NetworkRemove(context.Background(), netName) })
	shared := t.TempDir()
	managed := cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(netName), "subnet": cty.StringVal(subnet), "internal": cty.False})})
	first := dockerPlacement(map[string]cty.Value{
		attrManagedNetwork: managed,
		attrDockerdSocket:  cty.True,
		attrVolume: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"source": cty.StringVal(shared), "target": cty.StringVal("/shared"), "read_only": cty.True})}),
	})
	apply := func(address string, pl cty.Value) (protocol.Instance, protocol.InstanceValue) {
		t.Helper()
		inst := protocol.Instance{Address: address, Kind: "waf", Placement: PlacementType, Lineage: lineage}
		config := protocol.InstanceValue{Runtime: wafRuntime(8080, "net.example"), Placement: pl}
		plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
		mustNoErrors(t, plan.Diagnostics)
		created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config}, progressLog(t))
		mustNoErrors(t, created.Diagnostics)
		return inst, *created.New
	}
	instA, stateA := apply("waf.a", first)
	instB, stateB := apply("waf.b", dockerPlacement(map[string]cty.Value{attrManagedNetwork: managed}))

	nw, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{})
	if err != nil {
		t.Fatalf("managed network not created: %v", err)
	}
	if nw.Labels[labelNetwork] != lineage || len(nw.Containers) != 2 || !hasSubnet(nw, subnet) {
		t.Errorf("network %s: labels %v, %d containers, subnets %v; want lineage label, 2 containers, %s",
			netName, nw.Labels, len(nw.Containers), nw.IPAM.Config, subnet)
	}
	info, err := cli.ContainerInspect(ctx, shape.String(stateA.Placement, attrContainerID))
	if err != nil {
		t.Fatal(err)
	}
	if gid, ok := socketGroup(DefaultHost); !ok || !slices.Contains(info.HostConfig.GroupAdd, gid) {
		t.Errorf("GroupAdd = %v, want the socket's group %q", info.HostConfig.GroupAdd, gid)
	}
	if !slices.ContainsFunc(info.HostConfig.Mounts, func(m mount.Mount) bool {
		return m.Type == mount.TypeBind && m.Source == shared && m.Target == "/shared" && m.ReadOnly
	}) {
		t.Errorf("mounts = %+v, want %s bound read-only at /shared", info.HostConfig.Mounts, shared)
	}
	if got := shape.String(stateA.Placement, attrAddress); got == "" || info.NetworkSettings.Networks[netName] == nil ||
		info.NetworkSettings.Networks[netName].IPAddress != got {
		t.Errorf("address %q is not the container's address on %s", got, netName)
	}

	// Applying again finds the network as rampart's own: idempotent.
	if err := p.ensureNetwork(ctx, cli, lineage, managedNetwork{name: netName, subnet: subnet}, progressLog(t)); err != nil {
		t.Errorf("ensureNetwork of the existing managed network: %v", err)
	}
	// Another state may not take it over.
	if err := p.ensureNetwork(ctx, cli, "other-lineage", managedNetwork{name: netName}, progressLog(t)); err == nil {
		t.Error("ensureNetwork accepted a network managed by another state")
	}

	mustNoErrors(t, p.Delete(ctx, &protocol.ApplyRequest{Instance: instA, Prior: &stateA}, progressLog(t)))
	if _, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{}); err != nil {
		t.Fatalf("network removed while waf.b still uses it: %v", err)
	}
	mustNoErrors(t, p.Delete(ctx, &protocol.ApplyRequest{Instance: instB, Prior: &stateB}, progressLog(t)))
	if _, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Fatalf("network %s left behind after its last container (inspect error %v)", netName, err)
	}
}

// TestImageArchive saves a built image as a .tar.gz, removes it from the engine and has
// the provider load it from image_archive, like docker load --input.
func TestImageArchive(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	inst := protocol.Instance{Address: "waf.archive", Kind: "waf", Placement: PlacementType, Lineage: randomHex(t, 8)}
	kind := mustKind(t)
	src, diags := p.imageRef(kind, dockerPlacement(nil))
	mustNoErrors(t, diags)
	if _, err := p.ensureImage(ctx, cli, kind, src.ref, src.binary, progressLog(t)); err != nil {
		t.Fatal(err)
	}
	ref := "rampart-test/waf-archive:" + randomHex(t, 4)
	if err := cli.ImageTag(ctx, src.ref, ref); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "waf.tar.gz")
	saveImage(t, cli, ref, file)
	if _, err := cli.ImageRemove(ctx, ref, image.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ImageRemove(ctx, src.ref, image.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}

	config := protocol.InstanceValue{Runtime: wafRuntime(8080, "archive.example"),
		Placement: dockerPlacement(map[string]cty.Value{attrImageArchive: cty.StringVal(file)})}
	plan := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	mustNoErrors(t, plan.Diagnostics)
	if got := shape.String(plan.Planned.Placement, attrImageRef); got != ref {
		t.Errorf("planned image_ref = %q, want the archive's tag %s", got, ref)
	}
	var lines []string
	created := p.Apply(ctx, &protocol.ApplyRequest{Instance: inst, Planned: &plan.Planned, Config: &config},
		func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) })
	mustNoErrors(t, created.Diagnostics)
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true}) })
	if !slices.ContainsFunc(lines, func(l string) bool { return l == "loading image "+ref+" from "+file }) {
		t.Errorf("progress %q does not show the archive being loaded", lines)
	}
	state := *created.New
	obs := p.Observe(ctx, &protocol.ObserveRequest{Placement: PlacementType, Instances: []*protocol.ObserveInstance{{Instance: inst, Prior: state}}})
	mustNoErrors(t, obs.Diagnostics)
	noop := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config, Prior: &state, Observed: obs.Observed[inst.Address].Value})
	mustNoErrors(t, noop.Diagnostics)
	if len(noop.RequiresReplace) > 0 || len(noop.Details) > 0 {
		t.Errorf("plan after loading the archive is not a no-op: %v", noop.Details)
	}

	// A tag the archive does not hold is refused at plan time.
	config.Placement = dockerPlacement(map[string]cty.Value{attrImageArchive: cty.StringVal(file), attrImage: cty.StringVal("other:1")})
	bad := p.Plan(ctx, &protocol.PlanRequest{Instance: inst, Config: config})
	if !bad.Diagnostics.HasErrors() {
		t.Error("plan with an image the archive does not hold succeeded")
	}
}

// saveImage writes ref as a gzip-compressed docker save archive.
func saveImage(t *testing.T, cli *client.Client, ref, file string) {
	t.Helper()
	rc, err := cli.ImageSave(context.Background(), []string{ref})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	if _, err := io.Copy(zw, rc); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParseManifest(t *testing.T) {
	hex := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name, manifest, wantID string
		wantErr                bool
	}{
		{"classic", `[{"Config":"` + hex + `.json","RepoTags":["x:1"],"Layers":[]}]`, "sha256:" + hex, false},
		{"oci", `[{"Config":"blobs/sha256/` + hex + `","RepoTags":["x:1"]}]`, "sha256:" + hex, false},
		{"empty", `[]`, "", true},
		{"two images", `[{"Config":"` + hex + `.json"},{"Config":"` + hex + `.json"}]`, "", true},
		{"not a digest", `[{"Config":"config.json"}]`, "", true},
		{"not json", `{`, "", true},
	}
	for _, tc := range tests {
		got, err := parseManifest([]byte(tc.manifest))
		if (err != nil) != tc.wantErr || got.id != tc.wantID {
			t.Errorf("%s: parseManifest = %+v, %v; want id %q, error %v", tc.name, got, err, tc.wantID, tc.wantErr)
		}
	}
}

// FuzzParseManifest: manifest.json comes from a file the user names; it must never
// panic the provider.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`[{"Config":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.json","RepoTags":["x:1"]}]`))
	f.Add([]byte(`[{"Config":null}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := parseManifest(data)
		if err == nil && len(img.id) != len("sha256:")+64 {
			t.Fatalf("accepted id %q", img.id)
		}
	})
}
