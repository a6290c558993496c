package docker

import "sync"

// deferredTidy batches the tidying after deletes. A delete leaves a managed network and
// an image that may have become unused; checking each takes a container list. In a
// bulk destroy of hundreds that was two lists per container, made while the other
// containers were still using both. So each delete records what it may have freed and
// only the delete that finishes while no other is running checks all of it: the last
// one of a destroy, or every one when they come one at a time.
type deferredTidy struct {
	mu       sync.Mutex
	inFlight int
	networks map[tidyNetwork]bool
	images   map[string]bool // image ids
}

// tidyNetwork is a managed network a deleted container was on.
type tidyNetwork struct{ lineage, name string }

// begin counts a delete that has started.
func (t *deferredTidy) begin() {
	t.mu.Lock()
	t.inFlight++
	t.mu.Unlock()
}

// end records what the finished delete may have left unused. When no other delete is
// running it returns everything recorded so far, for the caller to check, and forgets
// it; otherwise it returns nothing: a delete still running checks it after itself.
func (t *deferredTidy) end(networks []tidyNetwork, imageID string) (checkNetworks []tidyNetwork, checkImages []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inFlight--
	if t.networks == nil {
		t.networks, t.images = map[tidyNetwork]bool{}, map[string]bool{}
	}
	for _, n := range networks {
		t.networks[n] = true
	}
	if imageID != "" {
		t.images[imageID] = true
	}
	if t.inFlight > 0 {
		return nil, nil
	}
	for n := range t.networks {
		checkNetworks = append(checkNetworks, n)
	}
	for id := range t.images {
		checkImages = append(checkImages, id)
	}
	clear(t.networks)
	clear(t.images)
	return checkNetworks, checkImages
}

// requeue puts back what end returned when the caller could not check it.
func (t *deferredTidy) requeue(networks []tidyNetwork, images []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.networks == nil {
		t.networks, t.images = map[tidyNetwork]bool{}, map[string]bool{}
	}
	for _, n := range networks {
		t.networks[n] = true
	}
	for _, id := range images {
		t.images[id] = true
	}
}
