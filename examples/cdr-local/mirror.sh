#!/usr/bin/env bash
# Local traffic mirroring for rampart-cdr, in the wire format of AWS VPC Traffic Mirroring.
#
#   mirror.sh up   [PREFIX] [VNI]   create the namespaces, links and the mirror
#   mirror.sh down [PREFIX]         remove them (the namespaces take their links along)
#
# Three network namespaces (PREFIX defaults to rcdr, VNI to 4242):
#
#   PREFIX-wl      the workload: wl0 10.77.0.1/24, whose traffic is mirrored
#   PREFIX-peer    what the workload talks to: wl1 10.77.0.2/24
#   PREFIX-sensor  the sensor: mir1 10.78.0.2/24; run rampart-cdr here on 10.78.0.2:4789
#
# In the workload namespace, tc's mirred action copies every frame wl0 sends or receives to
# vx0, a VXLAN device (VNI, UDP 4789) whose remote is the sensor, reached over mir0: the
# same encapsulation a mirror session delivers to an AWS traffic-mirror target. Nothing
# leaves these namespaces. Needs root (CAP_NET_ADMIN) and iproute2.
set -euo pipefail

cmd=${1:-}
prefix=${2:-rcdr}
vni=${3:-4242}
wl=$prefix-wl peer=$prefix-peer sensor=$prefix-sensor

down() {
	for ns in "$wl" "$peer" "$sensor"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

up() {
	down
	ip netns add "$wl"
	ip netns add "$peer"
	ip netns add "$sensor"
	for ns in "$wl" "$peer" "$sensor"; do
		ip -n "$ns" link set lo up
	done

	# The workload's link to its peer: the traffic to watch.
	ip -n "$wl" link add wl0 type veth peer name wl1 netns "$peer"
	ip -n "$wl" addr add 10.77.0.1/24 dev wl0
	ip -n "$peer" addr add 10.77.0.2/24 dev wl1
	ip -n "$wl" link set wl0 up
	ip -n "$peer" link set wl1 up

	# The mirror's path to the sensor, and the VXLAN device that encapsulates the copies.
	ip -n "$wl" link add mir0 type veth peer name mir1 netns "$sensor"
	ip -n "$wl" addr add 10.78.0.1/24 dev mir0
	ip -n "$sensor" addr add 10.78.0.2/24 dev mir1
	ip -n "$wl" link set mir0 up
	ip -n "$sensor" link set mir1 up
	ip -n "$wl" link add vx0 type vxlan id "$vni" remote 10.78.0.2 local 10.78.0.1 dstport 4789 dev mir0
	ip -n "$wl" link set vx0 up

	# Mirror both directions of wl0 into vx0. "u32 match u32 0 0" matches every frame like
	# matchall does, and exists on kernels built without cls_matchall.
	ip netns exec "$wl" tc qdisc add dev wl0 clsact
	for direction in ingress egress; do
		ip netns exec "$wl" tc filter add dev wl0 "$direction" protocol all u32 match u32 0 0 \
			action mirred egress mirror dev vx0
	done
}

case "$cmd" in
up) up ;;
down) down ;;
*)
	echo "usage: $0 up|down [PREFIX] [VNI]" >&2
	exit 2
	;;
esac
