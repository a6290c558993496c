package docker

import (
	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/sdk"
	"github.com/rampart-sec/rampart/runtime/appliance"
	"github.com/zclconf/go-cty/cty"
)

// Attribute names of the `docker` placement block.
const (
	attrImage          = "image"
	attrNetwork        = "network"
	attrPorts          = "ports"
	attrPublishAddress = "publish_address"
	attrEnv            = "env"
	attrMemory         = "memory"
	attrCPUs           = "cpus"
	attrRestart        = "restart"
	attrDockerdSocket  = "dockerd_socket"
	attrMemorySwap     = "memory_swap"
	attrPidsLimit      = "pids_limit"
	attrCapAdd         = "cap_add"
	attrOvercommit     = "allow_overcommit"
	attrImageArchive   = "image_archive"
	attrManagedNetwork = "managed_network" // repeatable block: name, subnet, internal
	attrVolume         = "volume"          // repeatable block: source, target, read_only

	attrContainerID   = "container_id"
	attrContainerName = "container_name"
	attrImageID       = "image_id"
	attrImageRef      = "image_ref"
	attrAddress       = "address"
)

// Defaults of optional attributes, applied when the container is created.
const (
	defaultPublishAddress = "127.0.0.1"
	defaultRestart        = "unless-stopped"
)

// schemaVersion is stored with each instance's state; bump it when the placement's
// attributes change incompatibly.
const schemaVersion = 1

// userAttrs are the attributes the user sets; a change to any of them needs a new
// container (Docker cannot change them on a running one).
// allow_overcommit is the exception: it only matters to Plan's overcommit guard.
var userAttrs = []string{attrImage, attrNetwork, attrPorts, attrPublishAddress, attrEnv, attrMemory, attrCPUs, attrRestart,
	attrDockerdSocket, attrMemorySwap, attrPidsLimit, attrCapAdd, attrOvercommit, attrImageArchive, attrManagedNetwork, attrVolume}

// managedNetworkType is one `managed_network { }` block: a network rampart creates,
// labels and removes when its last container goes.
var managedNetworkType = cty.Object(map[string]cty.Type{
	"name":     cty.String,
	"subnet":   cty.String,
	"internal": cty.Bool,
})

// volumeType is one `volume { }` block: a host directory (absolute source) or a named
// volume mounted into the container.
var volumeType = cty.Object(map[string]cty.Type{
	"source":    cty.String,
	"target":    cty.String,
	"read_only": cty.Bool,
})

// computedAttrs are the attributes the provider sets; the user cannot.
var computedAttrs = []string{attrContainerID, attrContainerName, attrImageID, attrImageRef, attrAddress}

// placementType is the cty type of the placement block's object.
var placementType = cty.Object(map[string]cty.Type{
	attrImage:          cty.String,
	attrNetwork:        cty.String,
	attrPorts:          cty.Map(cty.Number),
	attrPublishAddress: cty.String,
	attrEnv:            cty.Map(cty.String),
	attrMemory:         cty.String,
	attrCPUs:           cty.Number,
	attrRestart:        cty.String,
	attrDockerdSocket:  cty.Bool,
	attrMemorySwap:     cty.String,
	attrPidsLimit:      cty.Number,
	attrCapAdd:         cty.List(cty.String),
	attrOvercommit:     cty.Bool,
	attrImageArchive:   cty.String,
	attrManagedNetwork: cty.List(managedNetworkType),
	attrVolume:         cty.List(volumeType),
	attrContainerID:    cty.String,
	attrContainerName:  cty.String,
	attrImageID:        cty.String,
	attrImageRef:       cty.String,
	attrAddress:        cty.String,
})

func placementSchema() *protocol.PlacementSchema {
	computed := func(desc string) *protocol.Attribute {
		return &protocol.Attribute{Type: cty.String, Computed: true, Description: desc}
	}
	return &protocol.PlacementSchema{
		Kinds:   appliance.Names(),
		Version: schemaVersion,
		Block: &protocol.Schema{
			Description: "Runs the appliance as a container on the provider's Docker engine.",
			Attributes: map[string]*protocol.Attribute{
				attrImage: {Type: cty.String, Optional: true,
					Description: "Image to run. Default: rampart/<kind>:<version>-<digest>, built from the shipped runtime binary."},
				attrNetwork: {Type: cty.String, Optional: true,
					Description: "Existing Docker network to attach the container to (rampart neither creates nor removes it). Default: the engine's bridge, or the first managed_network."},
				attrImageArchive: {Type: cty.String, Optional: true,
					Description: `Image archive to load, like docker load --input: a .tar or .tar.gz written by docker save. The image is its first tag, or image when set.`},
				attrPorts: {Type: cty.Map(cty.Number), Optional: true,
					Description: "Published ports: host port = container port."},
				attrPublishAddress: {Type: cty.String, Optional: true,
					Description: "Host address the ports are published on. Default " + defaultPublishAddress + "."},
				attrEnv: {Type: cty.Map(cty.String), Optional: true, Sensitive: true,
					Description: "Extra environment variables of the container."},
				attrMemory: {Type: cty.String, Optional: true, Description: `Memory limit, e.g. "512M".`},
				attrCPUs:   {Type: cty.Number, Optional: true, Description: "CPU limit, e.g. 1.5."},
				attrRestart: {Type: cty.String, Optional: true,
					Description: "Restart policy: no, always, on-failure or unless-stopped (default)."},
				attrDockerdSocket: {Type: cty.Bool, Optional: true,
					Description: "Bind-mount /var/run/docker.sock read-only, for the WAF's docker_discovery; the container joins the socket's group."},
				attrMemorySwap: {Type: cty.String, Optional: true,
					Description: `Memory plus swap limit, e.g. "1G"; "-1" for unlimited swap. Needs memory.`},
				attrPidsLimit: {Type: cty.Number, Optional: true, Description: "Maximum number of processes (threads) in the container."},
				attrCapAdd: {Type: cty.List(cty.String), Optional: true,
					Description: `Capabilities added back on top of cap_drop = ["ALL"], e.g. ["NET_RAW"] for the scanner's raw-socket mode.`},
				attrOvercommit: {Type: cty.Bool, Optional: true,
					Description: "Allow the appliances of this provider to reserve more memory or CPU than the Docker host has."},
				attrContainerID:   computed("Id of the container."),
				attrContainerName: computed("Name of the container."),
				attrImageID:       computed("Id of the image the container runs."),
				attrImageRef:      computed("Image reference the container was created from."),
				attrAddress:       computed("IP address of the container on its network."),
			},
			BlockTypes: map[string]*protocol.NestedBlock{
				attrManagedNetwork: {Nesting: protocol.NestingList, Block: protocol.Schema{
					Description: "A user-defined bridge network rampart creates (labelled with the state's lineage), attaches the container to, " +
						"and removes once no container uses it. Appliances naming the same network share it.",
					Attributes: map[string]*protocol.Attribute{
						"name":     {Type: cty.String, Required: true, Description: "Network name."},
						"subnet":   {Type: cty.String, Optional: true, Description: `Subnet in CIDR form, e.g. "10.30.0.0/24". Default: chosen by Docker.`},
						"internal": {Type: cty.Bool, Optional: true, Description: "No route to the outside world (docker network create --internal)."},
					},
				}},
				attrVolume: {Nesting: protocol.NestingList, Block: protocol.Schema{
					Description: "A host directory or named volume mounted into the container, e.g. the scanner's shared and private directories.",
					Attributes: map[string]*protocol.Attribute{
						"source":    {Type: cty.String, Required: true, Description: "Absolute host path (bind mount) or volume name (created by Docker when missing, kept on destroy)."},
						"target":    {Type: cty.String, Required: true, Description: "Absolute path in the container."},
						"read_only": {Type: cty.Bool, Optional: true, Description: "Mount read-only."},
					},
				}},
			},
		},
	}
}

// shape is the placement object's plumbing (sdk.Shape): values from config and computed
// attributes, attribute access.
var shape = sdk.Shape{Type: placementType, User: userAttrs, Computed: computedAttrs}
