package discovery

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/runtime/waf/discovery/docker"
)

// containerEvents are the container events that can change a pool's members. health_status
// matches "health_status: healthy" and the like (the engine compares its prefix).
var containerEvents = []string{"start", "die", "destroy", "stop", "kill", "health_status", "pause", "unpause", "rename"}

// poolWatcher keeps one pool's members in step with the containers of its engines: a full
// list at start, a re-list of an engine shortly after each relevant event (debounced, so a
// burst of events costs one list), and a re-list of every engine each refresh interval so
// that a missed event heals.
type poolWatcher struct {
	pool      string
	target    Target
	engines   []*engineWatch
	refresh   time.Duration
	debounce  time.Duration
	backoff   docker.Backoff
	reachable Reachable
	apply     func(pool string, members []Member)
	logger    *slog.Logger

	wake chan struct{} // an engine was marked dirty

	mu         sync.Mutex
	applied    []Member // what apply last received
	lastChange time.Time
}

// engineWatch is one engine as seen by one pool.
type engineWatch struct {
	client *docker.Client
	dirty  atomic.Bool

	// Below: guarded by poolWatcher.mu.
	members     []Member
	status      EndpointStatus
	createdFrom map[string]string // container ID → reference it was created from (immutable)
}

// run follows events and re-lists until ctx ends.
func (w *poolWatcher) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	filters := map[string][]string{"type": {"container"}, "event": containerEvents}
	for _, e := range w.engines {
		wg.Go(func() {
			e.client.FollowEvents(ctx, filters, w.backoff, docker.EventHandler{
				Connected: func() {
					w.setEventsConnected(e, true)
					w.markDirty(e) // events may have been missed while disconnected
				},
				Event: func(ev docker.Event) {
					if w.eventMayMatter(ev) {
						w.markDirty(e)
					}
				},
				Disconnected: func(err error) {
					w.setEventsConnected(e, false)
					w.logger.Debug("docker events stream closed; the pool is still re-listed periodically",
						slog.String("pool", w.pool), slog.String("endpoint", e.client.Endpoint().URL), slog.String("error", err.Error()))
				},
			})
		})
	}

	w.relist(ctx, w.engines)
	refresh := time.NewTicker(w.refresh)
	defer refresh.Stop()
	var debounce <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-refresh.C:
			w.relist(ctx, w.engines)
		case <-w.wake:
			if debounce == nil {
				debounce = time.After(w.debounce)
			}
		case <-debounce:
			debounce = nil
			var dirty []*engineWatch
			for _, e := range w.engines {
				if e.dirty.Swap(false) {
					dirty = append(dirty, e)
				}
			}
			w.relist(ctx, dirty)
		}
	}
}

func (w *poolWatcher) markDirty(e *engineWatch) {
	e.dirty.Store(true)
	select {
	case w.wake <- struct{}{}:
	default: // a wake-up is already pending; it will see the flag
	}
}

// eventMayMatter skips events of containers that cannot be members: their image, as
// named at creation, is another repository. Image IDs cannot be judged here and count.
func (w *poolWatcher) eventMayMatter(ev docker.Event) bool {
	image := ev.Actor.Attributes["image"]
	return image == "" || looksLikeImageID(image) || NormalizeImage(image) == w.target.Image
}

// relist lists the given engines in parallel, then publishes the merged member set.
func (w *poolWatcher) relist(ctx context.Context, engines []*engineWatch) {
	var wg sync.WaitGroup
	for _, e := range engines {
		wg.Go(func() { w.listEngine(ctx, e) })
	}
	wg.Wait()
	if ctx.Err() == nil {
		w.publish()
	}
}

// listEngine lists one engine. When the engine cannot be listed, its last known members
// stay: a blip of the Docker API must not empty a pool whose containers still serve
// (health checks judge them meanwhile); the error shows in /status.
func (w *poolWatcher) listEngine(ctx context.Context, e *engineWatch) {
	list, err := w.fetch(ctx, e)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		if e.status.LastError == "" {
			w.logger.Warn("docker discovery cannot list containers; keeping the last known members",
				slog.String("pool", w.pool), slog.String("endpoint", e.client.Endpoint().URL), slog.String("error", err.Error()))
		}
		e.status.Reachable = false
		e.status.LastError = err.Error()
		return
	}
	if e.status.LastError != "" {
		w.logger.Info("docker discovery lists containers again",
			slog.String("pool", w.pool), slog.String("endpoint", e.client.Endpoint().URL))
	}
	members, skipped := selectMembers(w.target, list, w.reachable)
	w.logNewSkipped(e, skipped)
	e.members = members
	e.status.Reachable = true
	e.status.LastError = ""
	e.status.LastList = time.Now().UTC()
	e.status.Members = len(members)
	e.status.Skipped = skipped
	if v, err := e.client.APIVersion(ctx); err == nil {
		e.status.APIVersion = v
	}
}

// fetch lists the running containers of an engine and resolves the image names of those
// reported by image ID.
func (w *poolWatcher) fetch(ctx context.Context, e *engineWatch) (engineList, error) {
	containers, err := e.client.ListContainers(ctx, map[string][]string{"status": {"running"}})
	if err != nil {
		return engineList{}, err
	}
	list := engineList{Endpoint: e.client.Endpoint(), Containers: containers, ImageNames: map[string][]string{}}
	running := map[string]bool{}
	for _, c := range containers {
		running[c.ID] = true
		if !looksLikeImageID(c.Image) || !strings.Contains(c.Name(), w.target.NameContains) {
			continue
		}
		names, err := w.imageNames(ctx, e, c)
		if err != nil {
			return engineList{}, err
		}
		list.ImageNames[c.ID] = names
	}
	w.mu.Lock()
	for id := range e.createdFrom { // forget containers that are gone
		if !running[id] {
			delete(e.createdFrom, id)
		}
	}
	w.mu.Unlock()
	return list, nil
}

// imageNames resolves a container listed with an image ID: the image's tags and digests,
// and the reference the container was created from (which survives a moved tag).
func (w *poolWatcher) imageNames(ctx context.Context, e *engineWatch, c docker.Container) ([]string, error) {
	var names []string
	img, err := e.client.InspectImage(ctx, c.ImageID)
	switch {
	case err == nil:
		names = append(names, img.RepoTags...)
		names = append(names, img.RepoDigests...)
	case !docker.IsNotFound(err):
		return nil, err
	}
	w.mu.Lock()
	created, known := e.createdFrom[c.ID]
	w.mu.Unlock()
	if !known {
		details, err := e.client.InspectContainer(ctx, c.ID)
		if err != nil && !docker.IsNotFound(err) {
			return nil, err
		}
		created = details.Config.Image
		w.mu.Lock()
		e.createdFrom[c.ID] = created
		w.mu.Unlock()
	}
	return append(names, created), nil
}

// logNewSkipped warns once about each matching container that cannot be addressed.
func (w *poolWatcher) logNewSkipped(e *engineWatch, skipped []Skipped) {
	for _, s := range skipped {
		if !slices.Contains(e.status.Skipped, s) {
			w.logger.Warn("matching container cannot be a pool member",
				slog.String("pool", w.pool), slog.String("endpoint", e.client.Endpoint().URL),
				slog.String("container", s.Container), slog.String("reason", s.Reason))
		}
	}
}

// publish merges the engines' members and applies them when they changed.
func (w *poolWatcher) publish() {
	w.mu.Lock()
	merged := w.merged()
	previous := w.applied
	changed := !slices.Equal(previous, merged)
	if changed {
		w.applied = merged
		w.lastChange = time.Now().UTC()
	}
	w.mu.Unlock()
	if !changed {
		return
	}
	w.logChanges(previous, merged)
	w.apply(w.pool, slices.Clone(merged))
}

// merged is the union of the engines' members, sorted by address. Called with w.mu held.
func (w *poolWatcher) merged() []Member {
	var merged []Member
	seen := map[string]bool{}
	for _, e := range w.engines {
		for _, m := range e.members {
			if !seen[m.Address] { // two engines cannot serve one address; keep the first
				seen[m.Address] = true
				merged = append(merged, m)
			}
		}
	}
	slices.SortFunc(merged, func(a, b Member) int { return strings.Compare(a.Address, b.Address) })
	return merged
}

func (w *poolWatcher) logChanges(before, after []Member) {
	for _, m := range after {
		if !slices.ContainsFunc(before, func(b Member) bool { return b.Address == m.Address }) {
			w.logger.Info("pool member added", memberAttrs(w.pool, m)...)
		}
	}
	for _, m := range before {
		if !slices.ContainsFunc(after, func(a Member) bool { return a.Address == m.Address }) {
			w.logger.Info("pool member removed", memberAttrs(w.pool, m)...)
		}
	}
}

func memberAttrs(pool string, m Member) []any {
	return []any{
		slog.String("pool", pool), slog.String("member", m.Address), slog.String("container", m.Container),
		slog.String("endpoint", m.Endpoint), slog.String("via", m.Via),
	}
}

func (w *poolWatcher) setEventsConnected(e *engineWatch, connected bool) {
	w.mu.Lock()
	e.status.EventsConnected = connected
	w.mu.Unlock()
}

func (w *poolWatcher) members() []Member {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.applied)
}

func (w *poolWatcher) status() PoolStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := PoolStatus{
		Pool: w.pool, Image: w.target.Image, NameContains: w.target.NameContains,
		Members: len(w.applied), LastChange: w.lastChange,
	}
	for _, e := range w.engines {
		es := e.status
		es.Skipped = slices.Clone(es.Skipped)
		st.Endpoints = append(st.Endpoints, es)
	}
	return st
}
