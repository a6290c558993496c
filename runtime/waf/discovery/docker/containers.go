package docker

import (
	"context"
	"net/url"
	"strings"
)

// Container is one entry of GET /containers/json, with the fields discovery reads.
type Container struct {
	ID    string   `json:"Id"`
	Names []string `json:"Names"` // "/name"; legacy links add "/other/alias"
	// Image is the reference used at creation ("httpd:2.4"), or the image ID
	// ("sha256:...") when that reference now names another image.
	Image   string            `json:"Image"`
	ImageID string            `json:"ImageID"`
	State   string            `json:"State"`  // running, paused, exited, ...
	Status  string            `json:"Status"` // "Up 5 minutes (healthy)"
	Labels  map[string]string `json:"Labels"`
	Ports   []Port            `json:"Ports"`

	HostConfig struct {
		NetworkMode string `json:"NetworkMode"`
	} `json:"HostConfig"`
	NetworkSettings struct {
		Networks map[string]ContainerNetwork `json:"Networks"`
	} `json:"NetworkSettings"`
}

// Port is a container port and, when published, where the host exposes it.
type Port struct {
	IP          string `json:"IP,omitempty"` // host address it is published on; "0.0.0.0" or "::" for all
	PrivatePort int    `json:"PrivatePort"`
	PublicPort  int    `json:"PublicPort,omitempty"`
	Type        string `json:"Type"` // tcp, udp, sctp
}

// ContainerNetwork is a container's attachment to one network.
type ContainerNetwork struct {
	NetworkID   string `json:"NetworkID"`
	IPAddress   string `json:"IPAddress"`
	IPPrefixLen int    `json:"IPPrefixLen"`
	Gateway     string `json:"Gateway"`
}

// Name is the container's name without the leading "/" (link aliases are skipped).
func (c Container) Name() string {
	for _, n := range c.Names {
		n = strings.TrimPrefix(n, "/")
		if !strings.Contains(n, "/") {
			return n
		}
	}
	return ""
}

// ListContainers returns the containers matching filters (Docker's filter syntax, e.g.
// {"status": ["running"]}); nil lists the running ones.
func (c *Client) ListContainers(ctx context.Context, filters map[string][]string) ([]Container, error) {
	query := url.Values{}
	if len(filters) > 0 {
		query.Set("filters", filtersQuery(filters))
	}
	var list []Container
	if err := c.getJSON(ctx, "/containers/json", query, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// ContainerDetails is the part of GET /containers/{id}/json discovery reads.
type ContainerDetails struct {
	ID     string `json:"Id"`
	Config struct {
		// Image is the reference the container was created from, kept even after its tag
		// moved to another image.
		Image string `json:"Image"`
	} `json:"Config"`
}

// InspectContainer returns details of one container.
func (c *Client) InspectContainer(ctx context.Context, id string) (ContainerDetails, error) {
	var d ContainerDetails
	err := c.getJSON(ctx, "/containers/"+url.PathEscape(id)+"/json", nil, &d)
	return d, err
}

// Image is the part of GET /images/{id}/json discovery reads.
type Image struct {
	ID          string   `json:"Id"`
	RepoTags    []string `json:"RepoTags"`    // "httpd:2.4"
	RepoDigests []string `json:"RepoDigests"` // "httpd@sha256:..."
}

// InspectImage returns an image's names.
func (c *Client) InspectImage(ctx context.Context, id string) (Image, error) {
	var img Image
	err := c.getJSON(ctx, "/images/"+url.PathEscape(id)+"/json", nil, &img)
	return img, err
}
