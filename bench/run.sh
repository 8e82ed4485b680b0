#!/bin/sh
# make bench: the cost of ebpfcap to a workload, against the same workload
# alone and against bpftrace on the same tracepoint, in one invocation with
# alternating runs (these machines are shared and noisy: ratios, not times).
# Usage: bench/run.sh BUILD [RUNS] [CONNECTIONS]
build=${1:-build}; runs=${2:-5}; conns=${3:-20000}; k=4
out=${BENCH_OUT:-BENCHMARKS.md}
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
loadgen=$build/bench/loadgen
# Every connection makes 4 events: connect, accept, and a close on each side.
expected=$((conns / k * k * 4))

cpu_seconds() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_rss_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
attached() { bpftool prog show 2>/dev/null | grep -c " name $1" ; }

# run_one SCENARIO: prints "rate cpu_s events rss_kib" for one run.
run_one() {
	case $1 in
	baseline)
		rate=$($loadgen tcp $k $conns | sed 's/.*rate=//')
		echo "$rate 0 $expected 0"
		return ;;
	ebpfcap)
		$build/ebpfcap -w "$tmp/b.pcapng" --event-types TCP_Connect,TCP_Accept,TCP_Close --ringbuf-size 65536 2>/dev/null &
		tracer=$! ;;
	ebpfcap_tshark)
		mkfifo "$tmp/fifo"
		tshark -r "$tmp/fifo" -q -z ebpfflow_proc,tree >"$tmp/tshark.out" 2>/dev/null &
		reader=$!
		$build/ebpfcap -w "$tmp/fifo" --event-types TCP_Connect,TCP_Accept,TCP_Close --ringbuf-size 65536 2>/dev/null &
		tracer=$! ;;
	bpftrace)
		bpftrace -e 'tracepoint:sock:inet_sock_set_state { printf("%d %s %d %d %d\n", pid, comm, args->sport, args->dport, args->newstate); }' \
			>"$tmp/bt.out" 2>/dev/null &
		tracer=$! ;;
	esac
	i=0; until [ "$(attached "${1%%_*}")" -gt 0 ] || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
	sleep 0.5
	rate=$($loadgen tcp $k $conns | sed 's/.*rate=//')
	sleep 1
	cpu=$(cpu_seconds $tracer); rss=$(peak_rss_kib $tracer)
	kill -INT $tracer; wait $tracer 2>/dev/null
	case $1 in
	ebpfcap) events=$($build/ebpfcap -r "$tmp/b.pcapng" | grep -c ' load_\(client\|server\)\[') ;;
	ebpfcap_tshark) wait $reader; rm -f "$tmp/fifo"
		events=$(sed -n '/Events by process/,/Bytes by process/p' "$tmp/tshark.out" | awk '/load_(client|server)/ {s += $2} END {print s + 0}') ;;
	bpftrace)
		# Every state change of the load's sockets: more lines than our 4 events per connection.
		events=$(grep -c ' load_\(client\|server\) ' "$tmp/bt.out") ;;
	esac
	echo "$rate $cpu $events $rss"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
minmax() { sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s..%s", lo, hi}'; }

scenarios="baseline ebpfcap ebpfcap_tshark"
command -v bpftrace >/dev/null && scenarios="$scenarios bpftrace"
for r in $(seq $runs); do
	for s in $scenarios; do
		run_one $s >>"$tmp/$s.txt"
		echo "run $r $s: $(tail -1 "$tmp/$s.txt")" >&2
	done
done

base=$(cut -d' ' -f1 "$tmp/baseline.txt" | median)
{
	echo "| scenario | connections/s (median, min..max) | vs. alone | tracer CPU per 1M events | events kept / expected | peak RSS |"
	echo "|---|---|---|---|---|---|"
	for s in $scenarios; do
		rate=$(cut -d' ' -f1 "$tmp/$s.txt" | median)
		spread=$(cut -d' ' -f1 "$tmp/$s.txt" | minmax)
		cpu=$(cut -d' ' -f2 "$tmp/$s.txt" | median)
		events=$(cut -d' ' -f3 "$tmp/$s.txt" | median)
		rss=$(cut -d' ' -f4 "$tmp/$s.txt" | median)
		awk -v s=$s -v r=$rate -v sp=$spread -v b=$base -v c=$cpu -v e=$events -v x=$expected -v m=$rss 'BEGIN {
			printf "| %s | %.0f (%s) | %.3f | %s | %d / %d | %s |\n", s, r, sp, r / b,
				s == "baseline" ? "-" : sprintf("%.2f s", c / (e > 0 ? e : 1) * 1e6), e, x,
				s == "baseline" ? "-" : sprintf("%d MiB", m / 1024) }'
	done
} >"$tmp/table.md"
cat "$tmp/table.md"
cp "$tmp/table.md" "$build/bench-table.md"
