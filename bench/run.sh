#!/bin/sh
# make bench: what ebpfcap costs, against baselines measured in the same
# invocation with alternating runs (these machines are shared and noisy:
# ratios and exact counts, never bare times). Parts, each its own script:
#   tcp      loopback connection storm: alone, kernel side alone, ebpfcap to
#            a file, to tshark through a fifo, bpftrace    (storm.sh)
#   udp      loopback request/response storm, datagrams counted exactly (storm.sh)
#   packets  bulk TCP stream over a veth into a namespace: tcpdump -w versus
#            ebpfcap -i ebpf_<veth> -w (packets + events)   (packets.sh)
#   sweep    offered load up to the machine's maximum, with a plot (sweep.sh)
#   micro    the per-event user-space path in ns and instructions (micro.sh)
#   tls      --tls-secrets: TLS handshakes/s and keep-alive requests/s against
#            nginx, without a capture, with one, with secrets (tls.sh)
#   dissect  tshark on a plain 1M-packet capture with the plugin and without (dissect.sh)
#   progs    each BPF program's own kernel time during a TCP and a UDP storm (progs.sh)
# Usage: bench/run.sh BUILD [ROUNDS] [CONNECTIONS]
# Environment: BENCH_PARTS (default all), BENCH_SWEEP_RATES, BENCH_STREAM_BYTES,
# BENCH_STREAM_LOADS (bytes/s of the paced streams, "max" for unpaced).
# Results: BUILD/bench/results/report.md (and sweep.png beside it).
build=${1:-build}; rounds=${2:-7}; conns=${3:-20000}
parts=${BENCH_PARTS:-tcp udp packets sweep micro tls dissect progs}
rates=${BENCH_SWEEP_RATES:-1000 2000 4000 8000 16000 max}
stream_bytes=${BENCH_STREAM_BYTES:-1000000000}
stream_loads=${BENCH_STREAM_LOADS:-100000000 max}
build=$(cd "$build" && pwd) || exit 1 # the parts run from the top of the tree
cd "$(dirname "$0")/.." || exit 1
results=$build/bench/results
mkdir -p "$results"

machine() {
	echo "- Machine: $(nproc) vCPU ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
		"Linux $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")."
	echo "- Tools: $(tshark --version 2>/dev/null | head -1), $(bpftrace --version 2>/dev/null),"\
		"$(tcpdump --version 2>&1 | head -1), $(gnuplot --version 2>/dev/null), $(valgrind --version 2>/dev/null)."
}

# bcc's tcplife compiles its program at run time against kernel headers; say what it says here.
tcplife() {
	if ! command -v tcplife-bpfcc >/dev/null; then
		echo "bcc's tcplife: bpfcc-tools is not installed (it needs the running kernel's headers to run at all)."
		return
	fi
	why=$(timeout 20 tcplife-bpfcc 2>&1 </dev/null | grep -m1 -i 'kernel headers\|error\|failed')
	echo "bcc's tcplife (bpfcc-tools $(dpkg-query -W -f='${Version}' bpfcc-tools 2>/dev/null)): ${why:-started}"
}

started=$(date -u '+%Y-%m-%d %H:%M UTC') load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for part in $parts; do
	echo "bench: $part" >&2
	case $part in
	tcp) sh bench/storm.sh "$build" tcp "$rounds" "$conns" "$results/tcp.md" ;;
	udp) sh bench/storm.sh "$build" udp "$rounds" $((conns * 5 / 2)) "$results/udp.md" ;;
	packets) sh bench/packets.sh "$build" "$rounds" "$stream_bytes" "$stream_loads" "$results/packets.md" ;;
	sweep) sh bench/sweep.sh "$build" $(((rounds + 1) / 2)) "$rates" "$results/sweep.md" ;;
	micro) sh bench/micro.sh "$build" $((rounds * 2 + 1)) 200000 "$results/micro.md" ;;
	tls) sh bench/tls.sh "$build" "$rounds" 3 "$results/tls.md" ;;
	dissect) sh bench/dissect.sh "$build" $(((rounds + 1) / 2)) 1000000 "$results/dissect.md" ;;
	progs) sh bench/progs.sh "$build" "$conns" "$results/progs.md" ;;
	*) echo "bench: unknown part '$part' (tcp udp packets sweep micro tls dissect progs)" >&2; exit 2 ;;
	esac >/dev/null || echo "bench: part $part failed" >&2
done

{
	echo "# make bench, $started"
	echo
	machine
	echo "- Command: \`sh bench/run.sh $build $rounds $conns\` (parts: $parts)."
	echo "- Load average (1, 5, 15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)."
	for part in $parts; do
		[ -f "$results/$part.md" ] || continue
		echo
		echo "## $part"
		echo
		cat "$results/$part.md"
	done
	echo
	tcplife
} >"$results/report.md"
cat "$results/report.md"
