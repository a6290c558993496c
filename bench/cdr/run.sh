#!/usr/bin/env bash
# make bench-cdr: rampart-cdr side by side with Suricata 7 on the same capture files, and
# rampart-cdr's UDP ingest on loopback (issue 7).
#
# Suricata 7 comes from Debian bookworm-backports without touching the machine's apt setup:
# apt runs with its source list, package lists and cache in a temp directory (-o Dir::...),
# works out which packages Suricata needs beyond what is installed (a simulated install),
# `apt-get download`s them and unpacks them with dpkg-deb -x into a folder. Suricata runs
# from there with LD_LIBRARY_PATH; nothing is installed system-wide and nothing is left in
# /etc/apt or /var/lib/apt.
#
# Then bench/cdr/sidebyside (the Go driver) generates the captures, replays each with both
# systems, sends VXLAN datagrams to a running rampart-cdr, prints the table and writes
# bench/results/cdr.json.
#
# Environment: BENCH_CDR_BIN (a rampart-cdr binary to use instead of building one),
# BENCH_CDR_SURICATA_ROOT (an already unpacked Suricata: skips the download),
# BENCH_CDR_REPEAT (runs per case, the median counts; default 3), BENCH_CDR_UDP_RATE
# (datagrams/s, default 450000), BENCH_CDR_UDP_SENDERS (sending sockets, default 1; more
# only where spare cores exist), BENCH_CDR_SYSTEMS (rampart-cdr,suricata or a subset: a
# partial run does not replace bench/results/cdr.json), BENCH_CDR_KEEP=1 (keep the temp
# directory with the captures, configurations and logs), BENCH_CDR_PROFILE=1 (also write
# CPU profiles of rampart-cdr's VXLAN replay and UDP ingest into the temp directory's
# profiles/, which is then kept; read them with go tool pprof -top FILE).
set -euo pipefail

cd "$(dirname "$0")/../.."   # the repository root, wherever make was run from

log() { printf 'bench-cdr: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

work=$(mktemp -d /tmp/rampart-bench-cdr.XXXXXX)
driver_pid=""
cleanup() {
	# Stop only the driver this script started; it stops the processes it started.
	if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
		kill -TERM "$driver_pid" 2>/dev/null || true
		wait "$driver_pid" 2>/dev/null || true
	fi
	if [ "${BENCH_CDR_KEEP:-}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

systems=${BENCH_CDR_SYSTEMS:-rampart-cdr,suricata}

# --- Suricata 7 from bookworm-backports, unpacked into $work/suricata ---------------------
suricata_root=${BENCH_CDR_SURICATA_ROOT:-}
if [[ $systems == *suricata* && -z $suricata_root ]]; then
	for tool in apt-get dpkg-deb; do command -v $tool >/dev/null || die "$tool not found: this script needs Debian's apt (bookworm)"; done
	apt_dir=$work/apt
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work/debs"
	# bookworm for the libraries Suricata links, bookworm-backports for Suricata 7 itself.
	# Signed by the Debian archive keys apt already trusts.
	cat >"$apt_dir/sources.list" <<-SOURCES
		deb http://deb.debian.org/debian bookworm main
		deb http://deb.debian.org/debian bookworm-updates main
		deb http://deb.debian.org/debian-security bookworm-security main
		deb http://deb.debian.org/debian bookworm-backports main
	SOURCES
	apt_opts=(
		-o "Dir::Etc::SourceList=$apt_dir/sources.list"
		-o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
		-o "Dir::State::Lists=$apt_dir/lists"
		-o "Dir::Cache=$apt_dir/cache"
		-o "Debug::NoLocking=1"
		-o "APT::Sandbox::User=root"
	)
	log "reading the package lists of bookworm and bookworm-backports (into $apt_dir)"
	apt-get "${apt_opts[@]}" update -qq >&2 || die "apt-get update with the temp source list failed (network? see above)"
	# What an install would add: Suricata and exactly the libraries this machine lacks.
	mapfile -t packages < <(apt-get "${apt_opts[@]}" install -s --no-install-recommends -t bookworm-backports suricata 2>/dev/null |
		sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\{0,1\}(\([^ ]*\) .*/\1=\3/p')
	printf '%s\n' "${packages[@]}" | grep -q '^suricata=1:7\.' ||
		die "bookworm-backports offers no Suricata 7 (apt-cache policy suricata); packages: ${packages[*]:-none}"
	log "downloading ${#packages[@]} packages: ${packages[*]}"
	(cd "$work/debs" && apt-get "${apt_opts[@]}" download -qq "${packages[@]}" >&2) || die "apt-get download failed"
	suricata_root=$work/suricata
	for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$suricata_root"; done
	LD_LIBRARY_PATH="$suricata_root/usr/lib/x86_64-linux-gnu" "$suricata_root/usr/bin/suricata" -V >&2 ||
		die "the unpacked Suricata does not start (missing library? ldd $suricata_root/usr/bin/suricata)"
fi

# --- binaries ----------------------------------------------------------------------------
cdr_bin=${BENCH_CDR_BIN:-}
if [ -z "$cdr_bin" ]; then
	log "building rampart-cdr and the driver"
	CGO_ENABLED=0 go build -o "$work/rampart-cdr" ./cmd/rampart-cdr
	cdr_bin=$work/rampart-cdr
fi
[ -x "$cdr_bin" ] || die "no rampart-cdr binary at $cdr_bin"
go build -o "$work/sidebyside" ./bench/cdr/sidebyside

# --- the run -----------------------------------------------------------------------------
args=(
	-work-dir "$work"
	-cdr-bin "$cdr_bin"
	-systems "$systems"
	-repeat "${BENCH_CDR_REPEAT:-3}"
	-udp-rate "${BENCH_CDR_UDP_RATE:-450000}"
	-udp-senders "${BENCH_CDR_UDP_SENDERS:-1}"
	-udp-gso="${BENCH_CDR_UDP_GSO:-true}"
)
[ -z "$suricata_root" ] || args+=(-suricata-root "$suricata_root")
if [ "${BENCH_CDR_PROFILE:-}" = 1 ]; then
	args+=(-profile-dir "$work/profiles")
	BENCH_CDR_KEEP=1
fi
if [ "$systems" != rampart-cdr,suricata ]; then
	args+=(-out "$work/cdr.json")  # a partial run does not replace the results of a complete one
	BENCH_CDR_KEEP=1
else
	args+=(-out bench/results/cdr.json)
fi
"$work/sidebyside" "${args[@]}" &
driver_pid=$!
status=0
wait "$driver_pid" || status=$?
driver_pid=""
if [ $status != 0 ]; then
	BENCH_CDR_KEEP=1  # keep the logs of a failed run for the user to read
	die "failed (exit $status); logs in $work"
fi
