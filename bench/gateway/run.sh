#!/usr/bin/env bash
# make bench-gateway: rampart-gateway side by side with Squid (squid-openssl) on loopback (issue 5).
#
# Installs Squid from Debian's squid-openssl package with apt-get when it is missing,
# builds bin/rampart-gateway (CGO_ENABLED=0) and the harness, then runs
# bench/gateway/gatewaybench, which generates the run's CAs, starts the origin and both
# proxies itself on 127.0.0.1 ports, measures them one at a time, prints a table and
# writes bench/results/gateway.json. Squid runs from its own squid.conf, pid file and
# certificate database in a temp directory: /etc/squid and the system service are never used.
#
# Environment: BENCH_GATEWAY_DURATION (measured window per throughput row, default 10s),
# BENCH_GATEWAY_CONNECTIONS (tunnels of the capacity row, default 3000),
# BENCH_GATEWAY_SYSTEMS (comma-separated subset of rampart-gateway,squid),
# BENCH_GATEWAY_BIN (a rampart-gateway binary to use instead of building one),
# BENCH_GATEWAY_KEEP=1 (keep the temp directory with configs and logs).
set -euo pipefail

cd "$(dirname "$0")/../.."   # the repository root, wherever make was run from

log() { printf 'bench-gateway: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- Squid from Debian -----------------------------------------------------------------
squid_bin=/usr/sbin/squid
certgen_bin=/usr/lib/squid/security_file_certgen
if [ ! -x "$squid_bin" ] || [ ! -x "$certgen_bin" ] || ! dpkg -s squid-openssl >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || die "squid-openssl is missing: run as root, or apt-get install -y squid-openssl"
	log "installing squid-openssl with apt-get"
	# Installing Squid must not start the machine's Squid service: where no policy-rc.d
	# forbids it already, one is put in place for the install and removed.
	temp_policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		temp_policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$temp_policy"
		chmod 755 "$temp_policy"
	fi
	status=0
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends squid-openssl; } >&2 || status=$?
	[ -z "$temp_policy" ] || rm -f "$temp_policy"
	[ $status = 0 ] || die "apt-get install squid-openssl failed (exit $status)"
fi
"$squid_bin" -v | grep -q -- '--with-openssl' || die "$squid_bin is built without OpenSSL (ssl-bump): install squid-openssl"

# --- binaries --------------------------------------------------------------------------
work=$(mktemp -d /tmp/rampart-bench-gateway.XXXXXX)
harness_pid=""
cleanup() {
	# Stop only the harness this script started; it stops the servers it started.
	if [ -n "$harness_pid" ] && kill -0 "$harness_pid" 2>/dev/null; then
		kill -TERM "$harness_pid" 2>/dev/null || true
		wait "$harness_pid" 2>/dev/null || true
	fi
	if [ "${BENCH_GATEWAY_KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gateway_bin=${BENCH_GATEWAY_BIN:-}
if [ -z "$gateway_bin" ]; then
	log "building rampart-gateway and the harness"
	mkdir -p bin
	CGO_ENABLED=0 go build -trimpath -o bin/rampart-gateway ./cmd/rampart-gateway
	gateway_bin=bin/rampart-gateway
fi
[ -x "$gateway_bin" ] || die "no rampart-gateway binary at $gateway_bin"
go build -o "$work/gatewaybench" ./bench/gateway/gatewaybench

# --- the run ---------------------------------------------------------------------------
args=(
	-work-dir "$work"
	-gateway-bin "$gateway_bin"
	-squid-bin "$squid_bin"
	-certgen-bin "$certgen_bin"
	-duration "${BENCH_GATEWAY_DURATION:-10s}"
	-connections "${BENCH_GATEWAY_CONNECTIONS:-3000}"
)
if [ -n "${BENCH_GATEWAY_SYSTEMS:-}" ]; then
	# A partial run does not replace the results of a complete one.
	args+=(-systems "$BENCH_GATEWAY_SYSTEMS" -out "$work/gateway.json")
	BENCH_GATEWAY_KEEP=1
else
	args+=(-out bench/results/gateway.json)
fi
"$work/gatewaybench" "${args[@]}" &
harness_pid=$!
status=0
wait "$harness_pid" || status=$?
harness_pid=""
if [ $status != 0 ]; then
	# Keep the logs of a failed run for the user to read.
	BENCH_GATEWAY_KEEP=1
	die "failed (exit $status); logs in $work"
fi
