#!/usr/bin/env bash
# make bench-docker: rampart's Docker provider side by side with a direct Docker API client
# loop (the floor) for N = 10, 50, 200 WAF containers (issue 4).
#
# Builds rampart, rampart-provider-docker and rampart-waf (CGO_ENABLED=0) and the driver
# into a temp directory, then runs bench/docker/dockerbench, which times `rampart apply`,
# a no-change `rampart plan -detailed-exitcode` and `rampart destroy` through the real CLI,
# then the same work through the Docker API, prints a table and writes
# bench/results/docker.json. Needs a Docker engine at /var/run/docker.sock (Debian:
# apt-get install docker.io). Everything the run creates carries its run id and is
# removed at the end, also after a failure or Ctrl-C.
#
# Environment: BENCH_DOCKER_SIZES (default 10,50,200), BENCH_DOCKER_PARALLELISM
# (default 10, rampart's default), BENCH_DOCKER_BASE_PORT (default 17000; max N + 1 ports
# from it on 127.0.0.1), BENCH_DOCKER_PLAN_REPEATS (default 5), BENCH_DOCKER_ROUNDS
# (default 4: both systems per N, each going first in half of them; the medians are
# compared),
# BENCH_DOCKER_PROFILE=1 (also write a CPU profile of a rampart plan at the largest N),
# BENCH_DOCKER_API_TRACE=1 (diagnosis: count and time the Docker API calls of each
# operation of both systems through a proxy; results are not written),
# BENCH_DOCKER_KEEP=1 (keep the temp directory: configurations, logs, profiles).
set -euo pipefail

cd "$(dirname "$0")/../.."   # the repository root, wherever make was run from

log() { printf 'bench-docker: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ -S /var/run/docker.sock ] || die "no Docker engine at /var/run/docker.sock: as root, apt-get install -y docker.io, then start dockerd"

work=$(mktemp -d /tmp/rampart-bench-docker.XXXXXX)
driver_pid=""
cleanup() {
	# Stop only the driver this script started; it removes what it created.
	if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
		kill -TERM "$driver_pid" 2>/dev/null || true
		wait "$driver_pid" 2>/dev/null || true
	fi
	if [ "${BENCH_DOCKER_KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building rampart, rampart-provider-docker, rampart-waf and the driver into $work/bin"
mkdir -p "$work/bin"
CGO_ENABLED=0 go build -trimpath -o "$work/bin/" ./cmd/rampart ./cmd/rampart-provider-docker ./cmd/rampart-waf
go build -o "$work/dockerbench" ./bench/docker/dockerbench

log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; other work on them skews the figures)"
args=(
	-bin-dir "$work/bin"
	-work-dir "$work"
	-sizes "${BENCH_DOCKER_SIZES:-10,50,200}"
	-parallelism "${BENCH_DOCKER_PARALLELISM:-10}"
	-base-port "${BENCH_DOCKER_BASE_PORT:-17000}"
	-plan-repeats "${BENCH_DOCKER_PLAN_REPEATS:-5}"
	-rounds "${BENCH_DOCKER_ROUNDS:-4}"
)
if [ "${BENCH_DOCKER_PROFILE:-}" = 1 ]; then
	args+=(-profile)
	BENCH_DOCKER_KEEP=1
fi
if [ "${BENCH_DOCKER_API_TRACE:-}" = 1 ]; then
	args+=(-api-trace)
fi
if { [ -n "${BENCH_DOCKER_SIZES:-}" ] && [ "${BENCH_DOCKER_SIZES}" != 10,50,200 ]; } ||
	{ [ -n "${BENCH_DOCKER_ROUNDS:-}" ] && [ "${BENCH_DOCKER_ROUNDS}" != 4 ]; }; then
	# A partial run does not replace the results of a complete one.
	args+=(-out "$work/docker.json")
	BENCH_DOCKER_KEEP=1
else
	args+=(-out bench/results/docker.json)
fi
"$work/dockerbench" "${args[@]}" &
driver_pid=$!
status=0
wait "$driver_pid" || status=$?
driver_pid=""
log "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $status != 0 ]; then
	# Keep the logs of a failed run for the user to read.
	BENCH_DOCKER_KEEP=1
	die "failed (exit $status); logs in $work/logs"
fi
