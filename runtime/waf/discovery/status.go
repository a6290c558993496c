package discovery

import "time"

// PoolStatus is the discovery state of one dynamic pool, for GET /status.
type PoolStatus struct {
	Pool         string           `json:"pool"`
	Image        string           `json:"image"` // normalised
	NameContains string           `json:"name_contains,omitempty"`
	Members      int              `json:"members"`
	LastChange   time.Time        `json:"last_change,omitzero"` // when the member set last changed
	Endpoints    []EndpointStatus `json:"endpoints"`
}

// EndpointStatus is what one Docker engine last told the pool's watcher.
type EndpointStatus struct {
	Endpoint   string `json:"endpoint"`
	Reachable  bool   `json:"reachable"` // the last list succeeded
	APIVersion string `json:"api_version,omitempty"`
	// EventsConnected: the events stream is open, so changes arrive within ~100 ms rather
	// than at the next periodic re-list.
	EventsConnected bool      `json:"events_connected"`
	LastList        time.Time `json:"last_list,omitzero"`
	LastError       string    `json:"last_error,omitempty"`
	Members         int       `json:"members"`
	// Skipped are matching containers that could not be addressed, with the reason.
	Skipped []Skipped `json:"skipped,omitempty"`
}
