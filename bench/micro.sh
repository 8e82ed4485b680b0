#!/bin/sh
# The per-event user-space path alone (bench/micro.c): ns per event, median
# of ROUNDS runs of N events each, stages alternating; and instructions per
# event under callgrind, which do not depend on what else the machine runs,
# so a regression shows even here.
# Usage: micro.sh BUILD ROUNDS N OUT.md
build=$1 rounds=$2 n=$3 out=$4 cg_events=20000
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
micro=$(cd "$build" && pwd)/bench/micro

$micro "$rounds" "$n" >"$tmp/ns" || { say "micro failed"; exit 1; }
# Instructions inside measure() only, per event.
instructions() {
	(cd "$tmp" && valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$1" --toggle-collect=measure \
		"$micro" --only "$1" $cg_events >/dev/null 2>&1) || { echo "-"; return; }
	awk -v n=$cg_events '/^summary:/ {printf "%.0f", $2 / n}' "$tmp/cg.$1"
}
{
	echo "| stage (per event) | ns median (min..max) | instructions (callgrind) |"
	echo "|---|---|---|"
	i=0
	for id in record container exe encode pcapng on_event; do
		i=$((i + 1))
		line=$(grep -v '^#' "$tmp/ns" | sed -n "${i}p")
		echo "$line" | awk -F'|' -v ir="$(instructions $id)" '{printf "| %s | %s (%s..%s) | %s |\n", $1, $2, $3, $4, ir}'
	done
	echo
	sed -n 's/^# /Runs: /p' "$tmp/ns"
} >"$out"
cat "$out"
