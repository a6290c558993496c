#!/usr/bin/env bash
# make bench-scanner: rampart-scanner side by side with nmap from Debian (issue 6).
#
# Builds a lab of network namespaces on this machine (runtime/scanner/lab: sshd, nginx, redis,
# postgresql, a filtered host, a closed host), scans ONLY those namespaces with both programs,
# and writes bench/results/scanner.json (DESIGN §8) through bench/report. Must run as root:
# network namespaces and SYN scans need it. Installs what is missing with apt-get.
#
# Environment: BENCH_SCANNER_CASES (comma-separated subset of the case names),
# BENCH_SCANNER_BIN (a rampart-scanner binary to use instead of building one),
# BENCH_SCANNER_KEEP=1 (keep the temp directory with the lab's configs and logs).
set -euo pipefail

cd "$(dirname "$0")/../.."   # the repository root, wherever make was run from

log() { printf 'bench-scanner: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root: the lab uses network namespaces and the SYN rows raw sockets"

# --- tools from Debian -----------------------------------------------------------------
missing=()
command -v nmap >/dev/null || missing+=(nmap)
command -v ip >/dev/null || missing+=(iproute2)
command -v iptables >/dev/null || missing+=(iptables)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]} with apt-get"
	# Installing services must not start the machine's own copies: where no policy-rc.d
	# forbids it already, one is put in place for the install and removed.
	temp_policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		temp_policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$temp_policy"
		chmod 755 "$temp_policy"
	fi
	status=0
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 || status=$?
	[ -z "$temp_policy" ] || rm -f "$temp_policy"
	[ $status = 0 ] || die "apt-get install ${missing[*]} failed (exit $status)"
fi

# --- binaries --------------------------------------------------------------------------
work=$(mktemp -d /tmp/rampart-bench-scanner.XXXXXX)
bench_pid=""
cleanup() {
	# Stop only the harness this script started; it tears down the lab it built.
	if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
		kill -TERM "$bench_pid" 2>/dev/null || true
		wait "$bench_pid" 2>/dev/null || true
	fi
	if [ "${BENCH_SCANNER_KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

scanner_bin=${BENCH_SCANNER_BIN:-}
if [ -z "$scanner_bin" ]; then
	log "building rampart-scanner and the harness"
	CGO_ENABLED=0 go build -o "$work/rampart-scanner" ./cmd/rampart-scanner
	scanner_bin=$work/rampart-scanner
fi
[ -x "$scanner_bin" ] || die "no rampart-scanner binary at $scanner_bin"
go build -o "$work/scanbench" ./bench/scanner/scanbench

# --- the run ---------------------------------------------------------------------------
log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the cores skews the figures)"
log "$(nmap --version | head -n 1)"
"$work/scanbench" -work-dir "$work" -scanner-bin "$scanner_bin" -nmap "$(command -v nmap)" \
	${BENCH_SCANNER_CASES:+-cases "$BENCH_SCANNER_CASES"} >"$work/rows.txt" &
bench_pid=$!
wait "$bench_pid"
bench_pid=""
go run ./bench/report -area scanner <"$work/rows.txt"
