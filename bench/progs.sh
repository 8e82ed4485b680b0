#!/bin/sh
# Each BPF program's own kernel time during a storm: kernel.bpf_stats_enabled
# on, a capture to a file, loadgen's TCP then UDP storm, then run_time_ns and
# run_cnt of each of the capture's programs (bpftool prog show). Times per
# run are nanoseconds of CPU in the program itself, and they vary with the
# machine's load: compare within one report.
# Usage: bench/progs.sh BUILD CONNECTIONS OUT.md [EBPFCAP...]
#   EBPFCAP...: binaries to compare (default BUILD/ebpfcap), e.g. a build of
#   the previous commit first, for a before/after table.
build=$1 conns=$2 out=$3; shift 3
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
trap 'rm -rf "$tmp"; [ -n "${old_stats:-}" ] && sysctl -q kernel.bpf_stats_enabled=$old_stats' EXIT
. bench/lib.sh
[ $# -gt 0 ] || set -- "$ebpfcap"
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=1

# The capture's program ids, from the descriptors it holds.
prog_ids() { cat /proc/$1/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -un; }

# "name runs ns/run" of each program of process $1 that ran.
prog_costs() {
	for id in $(prog_ids "$1"); do
		bpftool prog show id "$id" 2>/dev/null | sed -n 's/.* name \([^ ]*\) .*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \3 \2/p'
	done | awk '$2 > 0 {printf "%s %d %.0f\n", $1, $2, $3 / $2}'
}

# storm BINARY KIND N: a capture of everything, one storm, the costs.
storm() {
	$1 -w "$tmp/cap.pcapng" --ringbuf-size 65536 2>"$tmp/err" &
	cap=$!
	wait_fd $cap eventpoll || return 1 # the ring's epoll comes right after attach
	line=$($loadgen "$2" 8 "$3")
	prog_costs $cap >"$tmp/costs"
	stop $cap
	echo "$line" >"$tmp/line"
}

{
	echo "Kernel time of each program (run_time_ns / run_cnt, kernel.bpf_stats_enabled), during a loopback storm"
	echo "of $conns TCP connections, then of $conns UDP request/response pairs (bench/loadgen, 8 clients), one capture to a file."
	echo "Other ebpfcap programs loaded meanwhile: $(foreign_programs)."
	for bin in "$@"; do
		for kind in tcp udp; do
			storm "$bin" $kind "$conns" || { echo "bench: $bin did not start" >&2; continue; }
			echo
			echo "$bin, $kind storm ($(cat "$tmp/line")):"
			echo
			echo "| program | runs | ns/run | ms in all |"
			echo "|---|---|---|---|"
			awk '{printf "| %s | %d | %d | %.1f |\n", $1, $2, $3, $2 * $3 / 1e6}' "$tmp/costs"
			awk '{t += $2 * $3} END {printf "| all | | | %.1f |\n", t / 1e6}' "$tmp/costs"
		done
	done
} >"$out"
cat "$out"
