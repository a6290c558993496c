package docker

import (
	"context"
	"strings"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/rampart-sec/rampart/providers/sdk"
)

// imageUse counts, per image reference, the creates of this provider process that are
// between "image ready" and "container created": a prune running in parallel (another
// appliance's apply finishing) must not remove the image under them.
type imageUse struct {
	mu    sync.Mutex
	inUse map[string]int
}

func (u *imageUse) hold(ref string) (release func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.inUse == nil {
		u.inUse = map[string]int{}
	}
	u.inUse[ref]++
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.inUse[ref]--; u.inUse[ref] <= 0 {
			delete(u.inUse, ref)
		}
	}
}

func (u *imageUse) held(ref string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.inUse[ref] > 0
}

// pruneImages removes the images rampart built (rampart/<kind>:<version>-<digest>,
// labelled rampart.kind) that no container uses, running or stopped: after an upgrade of
// the runtime binary the old image goes, and after a destroy nothing is left behind.
// Tags are removed one by one, without force, so an image some container still uses, or
// one that also carries a tag of the user's, is never deleted. Failures are reported as
// progress only: a leftover image costs disk, not correctness.
func (p *placement) pruneImages(ctx context.Context, cli *client.Client, progress sdk.Progress) {
	args := filters.NewArgs(filters.Arg("label", labelKind))
	for k, v := range p.extraLabels {
		args.Add("label", k+"="+v)
	}
	images, err := cli.ImageList(ctx, image.ListOptions{Filters: args})
	if err != nil || len(images) == 0 {
		return
	}
	containers, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return
	}
	used := map[string]bool{}
	for _, c := range containers {
		used[c.ImageID] = true
		used[c.Image] = true
	}
	for _, img := range images {
		if used[img.ID] {
			continue
		}
		if untagged(img.RepoTags) {
			// A rampart image whose tag moved to another build (an interrupted apply, an
			// older provider that built one image several times): nothing can name it
			// any more, so nothing is about to use it.
			if _, err := cli.ImageRemove(ctx, img.ID, image.RemoveOptions{PruneChildren: true}); err != nil {
				if !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
					progress("could not remove unused image %s: %v", shortID(img.ID), err)
				}
				continue
			}
			progress("removed unused untagged image %s", shortID(img.ID))
			continue
		}
		for _, tag := range img.RepoTags {
			if !strings.HasPrefix(tag, "rampart/") || used[tag] || p.images.held(tag) {
				continue
			}
			if _, err := cli.ImageRemove(ctx, tag, image.RemoveOptions{PruneChildren: true}); err != nil {
				if !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
					progress("could not remove unused image %s: %v", tag, err)
				}
				continue
			}
			p.builds.forget(tag)
			progress("removed unused image %s", tag)
		}
	}
}

// imageInUse says whether any container (running or not) was created from the image id.
// On error it says yes: pruning is skipped rather than risked.
func imageInUse(ctx context.Context, cli *client.Client, imageID string) bool {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Limit: 1,
		Filters: filters.NewArgs(filters.Arg("ancestor", imageID))})
	return err != nil || len(list) > 0
}

// untagged says whether an image has no name left: the engine reports none, or
// "<none>:<none>".
func untagged(tags []string) bool {
	for _, tag := range tags {
		if tag != "<none>:<none>" {
			return false
		}
	}
	return true
}
