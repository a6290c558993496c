package docker

import "sync"

// imageBuilds makes one provider process build (or find) each runtime image once. The
// creates of a parallel apply all need the same image at the same moment: without this,
// each of them found it missing and built it, leaving several images behind one tag and
// containers that each ran a different one (and a plan that showed them all as drift).
// Once an image is known to be on the engine, later creates of the same process skip
// the inspect; pruneImages forgets an image it removes.
type imageBuilds struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex // per image reference: one build at a time
	ready map[string]string      // image reference → id, present on the engine
}

// ensure returns the id of the image ref, calling build (which inspects, and builds when
// missing) unless this process already knows the image. Concurrent callers for the same
// ref wait for the first one; fresh is true only for the caller whose build made it.
func (b *imageBuilds) ensure(ref string, build func() (id string, fresh bool, err error)) (string, bool, error) {
	b.mu.Lock()
	if id, ok := b.ready[ref]; ok {
		b.mu.Unlock()
		return id, false, nil
	}
	if b.locks == nil {
		b.locks = map[string]*sync.Mutex{}
	}
	lock := b.locks[ref]
	if lock == nil {
		lock = &sync.Mutex{}
		b.locks[ref] = lock
	}
	b.mu.Unlock()

	lock.Lock()
	defer lock.Unlock()
	b.mu.Lock()
	id, ok := b.ready[ref]
	b.mu.Unlock()
	if ok {
		return id, false, nil // built by the caller we waited for
	}
	id, fresh, err := build()
	if err != nil {
		return "", false, err
	}
	b.mu.Lock()
	if b.ready == nil {
		b.ready = map[string]string{}
	}
	b.ready[ref] = id
	b.mu.Unlock()
	return id, fresh, nil
}

// forget drops ref after the image was removed, so the next create inspects (and
// builds) it again.
func (b *imageBuilds) forget(ref string) {
	b.mu.Lock()
	delete(b.ready, ref)
	b.mu.Unlock()
}
