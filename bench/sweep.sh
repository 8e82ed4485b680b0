#!/bin/sh
# Offered load sweep: the loopback connection storm paced by loadgen --rate,
# from light load up to unpaced (the most this machine makes), each rate run
# alone, with the kernel side alone (bench/kdrain) and with ebpfcap to a file
# (default options), alternating. Per rate: throughput and workload CPU per
# connection against alone, and events lost = expected - kept, which is exact
# (4 events per connection). Writes OUT.md and OUT.png (gnuplot).
# Usage: sweep.sh BUILD ROUNDS "RATE..." OUT.md   (RATE "max": unpaced)
build=$1 rounds=$2 rates=$3 out=$4 k=4 port=7813 seconds=1.5
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
types=TCP_Connect,TCP_Accept,TCP_Close

# conns RATE: enough connections for ~1.5 s at that rate (20000 unpaced).
conns() { [ "$1" = max ] && echo 20000 || awk -v r="$1" -v s=$seconds 'BEGIN {n = int(r * s / 4) * 4; print (n < 2000 ? 2000 : n)}'; }

# run SCENARIO RATE: "achieved workload_cpu_per_conn kept said_lost expected"
run() {
	n=$(conns $2) tracer=
	: >"$tmp/err"
	case $1 in
	kernel) $kdrain $types 8192 0 $port >"$tmp/kdrain.out" 2>"$tmp/err" & tracer=$! ;;
	ebpfcap) $ebpfcap -w "$tmp/cap.pcapng" --event-types $types 2>"$tmp/err" & tracer=$! ;;
	esac
	[ -n "$tracer" ] && wait_fd $tracer eventpoll
	line=$($loadgen --port $port $([ "$2" = max ] || echo "--rate $2") tcp $k $n) || say "loadgen failed under $1"
	sleep 0.5
	[ -n "$tracer" ] && stop $tracer
	ops=$(field "$line" ops)
	case $1 in
	alone) kept=$((ops * 4)) ;;
	kernel) kept=$(field "$(cat "$tmp/kdrain.out")" load_events) ;;
	ebpfcap) kept=$(load_events "$tmp/cap.pcapng" $port) ;;
	esac
	echo "$(field "$line" rate) $(awk -v c="$(field "$line" cpu)" -v n="$ops" 'BEGIN {printf "%.3f", c / n * 1e6}') $kept $(said_lost "$tmp/err") $((ops * 4))"
	rm -f "$tmp/cap.pcapng"
}

scenarios="alone kernel ebpfcap"
for rate in $rates; do
	alternate "sweep $rate" $rate $rate
done

# One line per rate: offered achieved_alone thr_full cpu_full thr_kernel cpu_kernel lost_max said_max expected
for rate in $rates; do
	a=$tmp/alone.$rate e=$tmp/ebpfcap.$rate kr=$tmp/kernel.$rate
	ratios "$e" 1 "$a" 1 >"$tmp/r1"; ratios "$e" 2 "$a" 2 >"$tmp/r2"
	ratios "$kr" 1 "$a" 1 >"$tmp/r3"; ratios "$kr" 2 "$a" 2 >"$tmp/r4"
	lost=$(awk '{l = $5 - $3; if (l > m) m = l} END {print m + 0}' "$e")
	said=$(awk '{if ($4 > m) m = $4} END {print m + 0}' "$e")
	echo "$rate $(median 1 "$a") $(median 1 "$tmp/r1") $(median 1 "$tmp/r2") $(median 1 "$tmp/r3") $(median 1 "$tmp/r4") $lost $said $(median 5 "$e")" \
		"$(minmax2 1 "$tmp/r1") $(minmax2 1 "$tmp/r2")"
done >"$tmp/points"

{
	echo "| offered connections/s | achieved alone (median) | achieved with ebpfcap (median) | throughput vs. alone: ebpfcap (min..max) | kernel side only | workload CPU per connection vs. alone: ebpfcap (min..max) | kernel side only | events expected per run | lost: expected - kept (worst run) | lost as ebpfcap said (worst run) |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	while read -r rate alone thr cpu kthr kcpu lost said exp thr_mm cpu_mm; do
		printf '| %s | %.0f | %.0f | %.3f (%s) | %.3f | %.3f (%s) | %.3f | %s | %s | %s |\n' "$([ $rate = max ] && echo "unpaced (max)" || echo $rate)" \
			"$alone" "$(median 1 "$tmp/ebpfcap.$rate")" "$thr" "$thr_mm" "$kthr" "$cpu" "$cpu_mm" "$kcpu" "$exp" "$lost" "$said"
	done <"$tmp/points"
	echo
	echo "Rounds: $rounds per rate, alone / kernel side only / ebpfcap alternating; ~${seconds} s of load per run" \
		"($k client processes); ebpfcap with its defaults (8 MiB ring buffer), TCP event types."
} >"$out"
cat "$out"

# The plot: x is the offered load; unpaced is drawn at what it achieved alone.
awk '{x = $1 == "max" ? $2 : $1; print x, $3, $4, $5, $6, $7}' "$tmp/points" | sort -g >"$tmp/plot.dat"
lost_top=$(awk '{if ($6 > m) m = $6} END {print (m < 10 ? 10 : m * 1.2)}' "$tmp/plot.dat")
gnuplot <<EOF
set terminal pngcairo size 900,520 font "sans,10"
set output "${out%.md}.png"
set title "ebpfcap: cost and loss against offered load (loopback connection storm, 2 vCPU)"
set xlabel "offered load, connections/s (last point: unpaced)"
set ylabel "ratio to the workload alone (median)"
set y2label "events lost per run (worst run)"
set yrange [0:*]
set y2range [0:$lost_top]
set ytics nomirror
set y2tics
set key bottom left
set grid
plot "$tmp/plot.dat" using 1:2 with linespoints lw 2 title "throughput, ebpfcap", \
     "" using 1:3 with linespoints lw 2 title "workload CPU per connection, ebpfcap", \
     "" using 1:4 with linespoints dt 2 title "throughput, kernel side only", \
     "" using 1:5 with linespoints dt 2 title "workload CPU per connection, kernel side only", \
     "" using 1:6 axes x1y2 with linespoints pt 7 ps 1.5 lw 2 title "events lost, ebpfcap (right axis)"
EOF
