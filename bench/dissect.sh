#!/bin/sh
# What the plugin costs tshark on a plain capture (no eBPF records): tshark's
# CPU time (user + system) reading a loopback capture of PACKETS UDP packets
# made by tcpdump, with the plugin loaded and without it, alternating. Both
# run in a private mount namespace whose plugin directory holds Wireshark's
# own plugins, plus this build's ebpfflow.so or not: the installed plugin and
# other helpers' runs are untouched. Two readings: the packet list
# (tshark -r, columns only) and a display filter (-Y udp: a protocol tree for
# every packet, where the owner postdissector would do its work). CPU time
# on a shared machine varies by more than the few percent looked for, so the
# instructions tshark executes (callgrind, on the first 100 000 packets with
# -Y udp) are counted too: they do not depend on the load.
# Usage: bench/dissect.sh BUILD ROUNDS PACKETS REPORT
build=$1; rounds=${2:-5}; packets=${3:-1000000}; report=${4:-/dev/stdout}
tmp=$(mktemp -d /tmp/ebpfcap-bench-dissect.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
port=39517
plugindir=$(pkg-config --variable=plugindir wireshark)/epan

command -v tcpdump >/dev/null || { echo "bench: tcpdump is not installed (make bench installs it)" >&2; exit 1; }

# The capture: a bounded UDP request/response storm on lo; tcpdump stops at PACKETS.
timeout 600 tcpdump -i lo -nn -U -w "$tmp/plain.pcap" -c "$packets" "udp port $port" 2>"$tmp/tcpdump.err" &
dump=$!
i=0
until grep -q 'listening on' "$tmp/tcpdump.err"; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "bench: tcpdump did not start: $(cat "$tmp/tcpdump.err")" >&2; exit 1; }
	sleep 0.1
done
$loadgen --port $port udp 4 $((packets / 2 + 10000)) >/dev/null || { echo "bench: loadgen failed" >&2; exit 1; }
wait $dump
got=$(tshark -r "$tmp/plain.pcap" -n -T fields -e frame.number 2>/dev/null | tail -1)
[ "$got" = "$packets" ] || { echo "bench: the capture has $got packets, not $packets" >&2; exit 1; }

# Plugin directories: Wireshark's own plugins, with and without ours.
mkdir -p "$tmp/without" "$tmp/with"
for so in "$plugindir"/*.so; do
	[ "$(basename "$so")" = ebpfflow.so ] && continue
	cp "$so" "$tmp/without/" && cp "$so" "$tmp/with/"
done
cp "$build/ebpfflow.so" "$tmp/with/"

# tshark_cpu DIR ARGS...: CPU seconds of tshark with DIR as its epan plugin directory.
tshark_cpu() {
	dir=$1; shift
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec /usr/bin/time -f "%U %S" -o "$0" tshark "$@" >/dev/null 2>&1' \
		"$tmp/time" "$dir" "$plugindir" "$@" || { echo "bench: tshark $* failed" >&2; exit 1; }
	awk '{printf "%.2f\n", $1 + $2}' "$tmp/time"
}
loaded() { unshare -m sh -c 'mount --bind "$1" "$2" && tshark -G plugins 2>/dev/null' - "$1" "$plugindir" | grep -c '^ebpfflow.so'; }
[ "$(loaded "$tmp/with")" = 1 ] && [ "$(loaded "$tmp/without")" = 0 ] ||
	{ echo "bench: the plugin directories do not load ebpfflow.so as meant" >&2; exit 1; }

: >"$tmp/list.without"; : >"$tmp/list.with"; : >"$tmp/tree.without"; : >"$tmp/tree.with"
r=0
while [ $r -lt "$rounds" ]; do
	for v in without with; do
		tshark_cpu "$tmp/$v" -r "$tmp/plain.pcap" -n >>"$tmp/list.$v"
		tshark_cpu "$tmp/$v" -r "$tmp/plain.pcap" -n -Y udp >>"$tmp/tree.$v"
	done
	r=$((r + 1))
done

# instructions DIR FILE: instructions tshark -Y udp executes on FILE, then those of them in
# ebpfflow.so. On the first packet alone and on the first 100 000: the difference is what
# the packets cost, without tshark's and the plugin's start (loading, registering fields).
editcap -r "$tmp/plain.pcap" "$tmp/100k.pcap" 1-100000 && editcap -r "$tmp/plain.pcap" "$tmp/1.pcap" 1 ||
	{ echo "bench: editcap" >&2; exit 1; }
instructions() {
	unshare -m sh -c 'mount --bind "$1" "$2" && valgrind --tool=callgrind --callgrind-out-file="$0" tshark -r "$3" -n -Y udp >/dev/null 2>&1' \
		"$tmp/cg.out" "$1" "$plugindir" "$2" || { echo "bench: callgrind failed" >&2; exit 1; }
	total=$(sed -n 's/^\(summary\|totals\): *//p' "$tmp/cg.out" | head -1)
	ours=$(callgrind_annotate --inclusive=no "$tmp/cg.out" 2>/dev/null |
		awk '/ebpfflow\.so\]$/ {gsub(",", "", $1); n += $1} END {print n + 0}')
	echo "$total $ours"
}
if command -v valgrind >/dev/null; then
	for v in without with; do
		instructions "$tmp/$v" "$tmp/1.pcap" >"$tmp/ir1.$v"
		instructions "$tmp/$v" "$tmp/100k.pcap" >"$tmp/ir.$v"
	done
fi

{
	echo "tshark $(tshark --version 2>/dev/null | head -1 | sed 's/^TShark (Wireshark) //;s/\.$//'), a plain loopback capture of $packets UDP packets (tcpdump), $rounds alternating rounds; CPU seconds (user + system), median (min..max)."
	echo
	echo "| reading | without the plugin | with the plugin | with / without |"
	echo "|---|---|---|---|"
	echo "| packet list (\`tshark -r\`) | $(median 1 "$tmp/list.without") ($(minmax 1 "$tmp/list.without")) | $(median 1 "$tmp/list.with") ($(minmax 1 "$tmp/list.with")) | $(ratio_cell "$tmp/list.with" 1 "$tmp/list.without" 1) |"
	echo "| display filter (\`tshark -r -Y udp\`) | $(median 1 "$tmp/tree.without") ($(minmax 1 "$tmp/tree.without")) | $(median 1 "$tmp/tree.with") ($(minmax 1 "$tmp/tree.with")) | $(ratio_cell "$tmp/tree.with" 1 "$tmp/tree.without" 1) |"
	if [ -s "$tmp/ir.with" ]; then
		read -r without _ <"$tmp/ir.without"; read -r with ours <"$tmp/ir.with"
		read -r without1 _ <"$tmp/ir1.without"; read -r with1 ours1 <"$tmp/ir1.with"
		echo
		echo "Instructions (callgrind, \`tshark -r -Y udp\`), on the first 100 000 packets: $without without the plugin," \
			"$with with it ($(awk -v a="$with" -v b="$without" 'BEGIN {printf "%.4f", a / b}') of without). Starting" \
			"(the first packet alone): $without1 without, $with1 with. Per packet, start taken out:" \
			"$(awk -v a="$without" -v b="$without1" 'BEGIN {printf "%.0f", (a - b) / 99999}') without," \
			"$(awk -v a="$with" -v b="$with1" 'BEGIN {printf "%.0f", (a - b) / 99999}') with" \
			"($(awk -v a="$with" -v b="$with1" -v c="$without" -v d="$without1" 'BEGIN {printf "%.4f", (a - b) / (c - d)}') of without)," \
			"of which $(awk -v a="$ours" -v b="$ours1" 'BEGIN {printf "%.0f", (a - b) / 99999}') in ebpfflow.so."
	fi
} >"$report"
