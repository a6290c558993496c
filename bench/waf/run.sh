#!/usr/bin/env bash
# make bench-waf: rampart-waf side by side with nginx + ModSecurity 3 on loopback (issue 3).
#
# Installs what is missing (wrk, nginx, libnginx-mod-http-modsecurity) with apt-get, builds
# bin/rampart-waf (make build) and the harness, extracts CRS v4 from the Go module that
# rampart-waf embeds, then runs bench/waf/wafbench, which starts every server itself on
# 127.0.0.1 ports, measures them one at a time with wrk and writes bench/results/waf.json.
# nginx runs from its own configuration in a temp directory; /etc/nginx is never used.
#
# Environment: BENCH_WAF_BASE_PORT (default 18080; 4 ports from it), BENCH_WAF_DURATION
# (measured window per case, default 10s), BENCH_WAF_SYSTEMS (comma-separated subset),
# BENCH_WAF_BIN (a rampart-waf binary to use instead of running make build),
# BENCH_WAF_KEEP=1 (keep the temp directory with configs and logs).
set -euo pipefail

cd "$(dirname "$0")/../.."   # the repository root, wherever make was run from

log() { printf 'bench-waf: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- tools from Debian -----------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || missing+=(libnginx-mod-http-modsecurity)
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root, or apt-get install -y ${missing[*]}"
	log "installing ${missing[*]} with apt-get"
	# Installing nginx must not start the machine's nginx service on port 80: where no
	# policy-rc.d forbids it already, one is put in place for the install and removed.
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

# ModSecurity 3 needs its unicode.mapping; Debian ships one with the nginx module.
unicode_mapping=$(dpkg -L libmodsecurity3 libnginx-mod-http-modsecurity 2>/dev/null | grep '/unicode\.mapping$' | head -n 1 || true)
[ -n "$unicode_mapping" ] && [ -f "$unicode_mapping" ] || die "no unicode.mapping found in libmodsecurity3 or libnginx-mod-http-modsecurity (dpkg -L)"

# --- binaries --------------------------------------------------------------------------
work=$(mktemp -d /tmp/rampart-bench-waf.XXXXXX)
harness_pid=""
cleanup() {
	# Stop only the harness this script started; it stops the servers it started.
	if [ -n "$harness_pid" ] && kill -0 "$harness_pid" 2>/dev/null; then
		kill -TERM "$harness_pid" 2>/dev/null || true
		wait "$harness_pid" 2>/dev/null || true
	fi
	if [ "${BENCH_WAF_KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

waf_bin=${BENCH_WAF_BIN:-}
if [ -z "$waf_bin" ]; then
	log "building (make build, harness)"
	make -s build >&2
	waf_bin=bin/rampart-waf
fi
[ -x "$waf_bin" ] || die "no rampart-waf binary at $waf_bin"
go build -o "$work/backend" ./bench/waf/backend
go build -o "$work/crsdump" ./bench/waf/crsdump
go build -o "$work/wafbench" ./bench/waf/wafbench
"$work/crsdump" -out "$work/crs" >&2

# --- the run ---------------------------------------------------------------------------
log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other work on them skews the figures)"
args=(
	-work-dir "$work"
	-backend-bin "$work/backend"
	-waf-bin "$waf_bin"
	-unicode-mapping "$unicode_mapping"
	-crs-dir "$work/crs"
	-base-port "${BENCH_WAF_BASE_PORT:-18080}"
	-duration "${BENCH_WAF_DURATION:-10s}"
)
if [ -n "${BENCH_WAF_SYSTEMS:-}" ]; then
	# A partial run does not replace the results of a complete one.
	args+=(-systems "$BENCH_WAF_SYSTEMS" -out "$work/waf.json")
	BENCH_WAF_KEEP=1
else
	args+=(-out bench/results/waf.json)
fi
"$work/wafbench" "${args[@]}" &
harness_pid=$!
status=0
wait "$harness_pid" || status=$?
harness_pid=""
if [ $status != 0 ]; then
	# Keep the logs of a failed run for the user to read.
	BENCH_WAF_KEEP=1
	die "failed (exit $status); logs in $work"
fi
