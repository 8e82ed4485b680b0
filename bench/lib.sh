# Shared helpers of the bench scripts (sourced). Every figure the bench prints
# is a ratio to a baseline measured in the same invocation, or a count that
# does not depend on timing: these machines are shared and noisy.
# Needs: $build (the build directory), $tmp (a scratch directory).
# Interrupted, the scripts still run their EXIT traps (scratch files, the bench's namespace).
trap 'exit 130' INT TERM HUP
loadgen=$build/bench/loadgen
kdrain=$build/bench/kdrain
ebpfcap=$build/ebpfcap

# /proc/PID figures of a tracer, read just before it is stopped.
cpu_seconds() { awk '{printf "%.3f\n", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_rss_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
wakeups() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# key=value from a line such as loadgen's "ops=N seconds=S rate=R cpu=C".
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Programs of other ebpfcap captures running meanwhile: their cost lands on every scenario.
foreign_programs() { bpftool prog show 2>/dev/null | grep -c ' name ebpfcap_'; }

# wait_fd PID PATTERN: until the process holds a descriptor matching PATTERN (at most 10 s).
# ebpfcap and kdrain make their ring buffer's epoll descriptor right after attaching.
wait_fd() {
	i=0
	until ls -l "/proc/$1/fd" 2>/dev/null | grep -q "$2"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "bench: process $1 did not get ready" >&2; return 1; }
		sleep 0.1
	done
	sleep 0.3
}

# stop PID: SIGINT, then wait; SIGKILL after 30 s (a tracer that hangs must not hang the bench).
stop() {
	kill -INT "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		i=$((i + 1)); [ $i -gt 300 ] && kill -KILL "$1"
		sleep 0.1
	done
	wait "$1" 2>/dev/null
}

# Columns of whitespace-separated numbers: median and min..max of column $1 of file $2.
median() { awk -v c="$1" '{print $c}' "$2" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
minmax() { awk -v c="$1" '{print $c}' "$2" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s..%s", lo, hi}'; }
# The same for ratios, two decimals.
minmax2() { awk -v c="$1" '{printf "%.2f\n", $c}' "$2" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s..%s", lo, hi}'; }

# ratios A_FILE COL_A B_FILE COL_B: per-round ratio a/b, one per line (rounds are line numbers).
ratios() { paste -d' ' "$1" "$3" | awk -v a="$2" -v n="$(head -1 "$1" | wc -w)" -v b="$4" \
	'{x = $a; y = $(n + b); printf "%.4f\n", (y > 0 ? x / y : 0)}'; }

# ratio_cell A_FILE COL_A B_FILE COL_B: "median (min..max)" of the per-round ratios.
ratio_cell() {
	ratios "$@" >"$tmp/ratios"
	printf '%.3f (%s)' "$(median 1 "$tmp/ratios")" "$(minmax2 1 "$tmp/ratios")"
}

# Events of the load's own processes (comm load_client / load_server) in a capture file,
# with PORT at one end if given (other load_* processes may run on a shared machine).
load_events() { $ebpfcap -r "$1" | grep ' load_\(client\|server\)\[' | grep -c "${2:+:$2 }"; }
# Sum of packets= over the load's UDP_Send (or UDP_Recv) records.
load_datagrams() {
	$ebpfcap -r "$1" | awk -v t="$2" '$2 == t && / load_(client|server)\[/ {
		for (i = 1; i <= NF; i++) if ($i ~ /^packets=/) { sub("packets=", "", $i); s += $i } }
		END {print s + 0}'
}
# Events a tracer said it lost, 0 if it said nothing: ebpfcap on stderr, bpftrace "Lost N events".
said_lost() { cat "$@" 2>/dev/null | sed -n 's/^ebpfcap: \([0-9]*\) events lost.*/\1/p; s/^Lost \([0-9]*\) events.*/\1/p' |
	awk '{s += $1} END {print s + 0}'; }

say() { echo "bench: $*" >&2; }

# alternate LABEL [SUFFIX [ARG]]: $rounds rounds of `run S [ARG]` for each S in $scenarios,
# alternating, each result line appended to $tmp/S.SUFFIX (default txt) and said.
alternate() {
	for r in $(seq "$rounds"); do
		for s in $scenarios; do
			run $s $3 >>"$tmp/$s.${2:-txt}"
			say "$1 round $r $s: $(tail -1 "$tmp/$s.${2:-txt}")"
		done
	done
}
