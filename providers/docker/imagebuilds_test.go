package docker

import (
	"context"

	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
)

// TestParallelCreatesBuildOneImage: the creates of a parallel apply all need an image
// that does not exist yet. Exactly one of them builds it; every container runs that one
// image under its tag, so the next refresh sees no drift.
func TestParallelCreatesBuildOneImage(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	// A runtime binary no image was ever built from: the shared build plus a few bytes
	// of trailing data (ignored by the loader), so its digest is new.
	p.runtimeDir = t.TempDir()
	binary, err := os.ReadFile(filepath.Join(staticWAF(t), "rampart-waf"))
	if err != nil {
		t.Fatal(err)
	}
	binary = append(binary, []byte(randomHex(t, 8))...)
	if err := os.WriteFile(filepath.Join(p.runtimeDir, "rampart-waf"), binary, 0o755); err != nil {
		t.Fatal(err)
	}

	const n = 4
	lineage := randomHex(t, 8)
	states := make([]protocol.InstanceValue, n)
	instances := make([]protocol.Instance, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		instances[i] = protocol.Instance{Address: fmt.Sprintf(`waf.par["%d"]`, i), Kind: "waf", Placement: PlacementType, Lineage: lineage}
		wg.Add(1)
		go func() {
			defer wg.Done()
			config := protocol.InstanceValue{Runtime: wafRuntime(8080, "shop.example"), Placement: dockerPlacement(nil)}
			plan := p.Plan(ctx, &protocol.PlanRequest{Instance: instances[i], Config: config})
			if plan.Diagnostics.HasErrors() {
				errs[i] = plan.Diagnostics.Err()
				return
			}
			resp := p.Apply(ctx, &protocol.ApplyRequest{Instance: instances[i], Planned: &plan.Planned, Config: &config}, progressLog(t))
			if resp.Diagnostics.HasErrors() {
				errs[i] = resp.Diagnostics.Err()
				return
			}
			states[i] = *resp.New
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("create %s: %v", instances[i].Address, err)
		}
	}

	sha, err := runtimes.FileSHA256(filepath.Join(p.runtimeDir, "rampart-waf"))
	if err != nil {
		t.Fatal(err)
	}
	built, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", labelBinary+"="+sha))})
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 1 {
		t.Fatalf("%d images built from one runtime binary by %d parallel creates, want 1", len(built), n)
	}
	for i, st := range states {
		if got := shape.String(st.Placement, attrImageID); got != built[0].ID {
			t.Errorf("%s runs image %s, want the one built: %s", instances[i].Address, shortID(got), shortID(built[0].ID))
		}
	}

	// A refresh right after sees every container as created: same image reference.
	req := &protocol.ObserveRequest{Placement: PlacementType}
	for i := range n {
		req.Instances = append(req.Instances, &protocol.ObserveInstance{Instance: instances[i], Prior: states[i]})
	}
	resp := p.Observe(ctx, req)
	mustNoErrors(t, resp.Diagnostics)
	for i := range n {
		obs := resp.Observed[instances[i].Address]
		if obs == nil || obs.Value == nil {
			t.Fatalf("%s not observed", instances[i].Address)
		}
		if got, want := shape.String(obs.Value.Placement, attrImageRef), shape.String(states[i].Placement, attrImageRef); got != want {
			t.Errorf("%s: observed image_ref %q, applied %q", instances[i].Address, got, want)
		}
	}
}

// TestPruneRemovesUntaggedImages: an image of rampart's whose tag moved to a newer
// build has no name left; pruning removes it along with the unused tagged one.
func TestPruneRemovesUntaggedImages(t *testing.T) {
	p, cli := testPlacement(t)
	ctx := context.Background()
	kind := mustKind(t)
	ref := "rampart/waf:prune-test-" + randomHex(t, 4)
	var ids []string
	for i := range 2 {
		// Two different binaries, so two different images.
		path := filepath.Join(t.TempDir(), "rampart-waf")
		binary, err := os.ReadFile(filepath.Join(staticWAF(t), "rampart-waf"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(binary, []byte(randomHex(t, 8))...), 0o755); err != nil {
			t.Fatal(err)
		}
		sha, err := runtimes.FileSHA256(path)
		if err != nil {
			t.Fatal(err)
		}
		id, err := p.ensureImage(ctx, cli, kind, fmt.Sprintf("%s-%d", ref, i), runtimes.Binary{Path: path, SHA256: sha}, progressLog(t))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// The tag moves from the first image to the second, as when one tag is built twice.
	for i, id := range ids {
		if err := cli.ImageTag(ctx, id, ref); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.ImageRemove(ctx, fmt.Sprintf("%s-%d", ref, i), image.RemoveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if img, err := cli.ImageInspect(ctx, ids[0]); err != nil || !untagged(img.RepoTags) {
		t.Fatalf("set-up: the first image should be untagged: tags %v, %v", img.RepoTags, err)
	}
	p.pruneImages(ctx, cli, progressLog(t))
	for _, id := range ids {
		if _, err := cli.ImageInspect(ctx, id); !cerrdefs.IsNotFound(err) {
			t.Errorf("image %s is still on the engine after the prune (inspect: %v)", shortID(id), err)
		}
	}
}
