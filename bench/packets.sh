#!/bin/sh
# Packet capture rate: one bulk TCP stream from the host into a network
# namespace the bench makes (veth pair, segmentation offloads off so every
# packet is MTU-sized, IPv6 off and static neighbours so nothing else
# crosses), captured on the host side by tcpdump -w and by ebpfcap in
# packets + events mode (-i ebpf_<veth> -w), alternating with the stream
# alone. Correct means: packets captured == packets the veth counted (its
# rx + tx, what ip -s link shows) and no drops. Each load in turn: a stream
# paced at RATE bytes/s (2 s of it), or "max": BYTES as fast as it goes.
# Usage: packets.sh BUILD ROUNDS BYTES "LOAD..." OUT.md
build=$1 rounds=$2 bytes=$3 loads=$4 out=$5
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
shm=$(mktemp -d /dev/shm/ebpfcap-bench.XXXXXX) # captures of ~1 GB: memory, not disk I/O
NS=ebpfcap-bench$$ H=ebbn$$h P=ebbn$$p port=7812
cleanup() { ip link del $H 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$tmp" "$shm"; }
trap cleanup EXIT
. bench/lib.sh

ip netns add $NS && ip link add $H type veth peer name $P && ip link set $P netns $NS || { say "cannot make the veth pair"; exit 1; }
sysctl -qw net.ipv6.conf.$H.disable_ipv6=1
ip addr add 10.203.99.1/30 dev $H && ip link set $H up
ip netns exec $NS sh -c "sysctl -qw net.ipv6.conf.$P.disable_ipv6=1; ip addr add 10.203.99.2/30 dev $P && ip link set $P up"
ethtool -K $H tso off gso off gro off >/dev/null 2>&1
ip netns exec $NS ethtool -K $P tso off gso off gro off >/dev/null 2>&1
ip neigh replace 10.203.99.2 lladdr "$(ip netns exec $NS cat /sys/class/net/$P/address)" dev $H nud permanent
ip netns exec $NS ip neigh replace 10.203.99.1 lladdr "$(cat /sys/class/net/$H/address)" dev $P nud permanent
on_veth() { echo $(($(cat /sys/class/net/$H/statistics/rx_packets) + $(cat /sys/class/net/$H/statistics/tx_packets))); }

# start SCENARIO: the capture in the background ($tracer), ready to see packets.
start() {
	tracer=
	case $1 in
	alone) return ;;
	tcpdump) # the same kernel buffer as ebpfcap's libpcap (32 MiB); root keeps /tmp writable
		tcpdump -i $H -n -B 32768 -Z root -w "$shm/cap" 2>"$tmp/err" &
		tracer=$!
		i=0; until grep -q listening "$tmp/err" || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
		sleep 0.3 ;;
	ebpfcap) $ebpfcap -i ebpf_$H -w "$shm/cap" 2>"$tmp/err" &
		tracer=$!
		wait_fd $tracer eventpoll ;;
	esac
}

# captured SCENARIO: packets in the capture file (ebpfcap's: those of its Ethernet interface block).
captured() {
	case $1 in
	tcpdump) sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$tmp/err" ;;
	ebpfcap) capinfos -I -M "$shm/cap" 2>/dev/null |
		awk '/Encapsulation = Ethernet/ { eth = 1; next } /Encapsulation =/ { eth = 0 }
		     eth && /Number of packets =/ { print $NF; exit }' ;;
	esac
}
dropped() {
	case $1 in
	tcpdump) sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$tmp/err" ;;
	ebpfcap) sed -n 's/^ebpfcap: \([0-9]*\) packets dropped by the kernel.*/\1/p' "$tmp/err" | awk '{s += $1} END {print s + 0}' ;;
	esac
}

# run SCENARIO: "bytes_per_s workload_cpu capture_cpu on_veth captured dropped duration"
run() {
	start $1
	cpu=0
	[ -n "$tracer" ] && cpu=$(cpu_seconds $tracer)
	before=$(on_veth)
	if [ "$load" = max ]; then
		line=$($loadgen --netns $NS --addr 10.203.99.2 --port $port stream $bytes)
	else
		line=$($loadgen --rate $load --netns $NS --addr 10.203.99.2 --port $port stream $((load * 2)))
	fi || say "stream failed under $1"
	sleep 0.2 # the last ACK
	wire=$(($(on_veth) - before))
	sleep 1.3 # libpcap hands packets over in blocks; tcpdump's wait up to 1 s to fill
	if [ -n "$tracer" ]; then
		cpu=$(echo "$(cpu_seconds $tracer) $cpu" | awk '{print $1 - $2}')
		stop $tracer
	fi
	got=$wire drop=0
	[ -n "$tracer" ] && got=$(captured $1) drop=$(dropped $1)
	echo "$(field "$line" rate) $(field "$line" cpu) $cpu $wire ${got:-0} ${drop:-0} $(field "$line" seconds)"
	rm -f "$shm/cap"
}

scenarios="alone tcpdump ebpfcap"
# measure LOAD: ROUNDS rounds of every scenario, alternating; a table into $tmp/table.$load.
measure() {
	load=$1
	rm -f "$tmp"/*.txt
	alternate "packets $load"
	table >"$tmp/table.$load"
}

# Columns: 1 bytes/s, 2 workload cpu, 3 capture cpu, 4 packets on the veth, 5 captured, 6 dropped, 7 seconds
table() {
	for s in $scenarios; do # captured packets per second of stream, per round
		awk '{printf "%.0f\n", $5 / $7}' "$tmp/$s.txt" >"$tmp/$s.pps"
	done
	echo "| scenario | stream MB/s median (min..max) | throughput vs. alone | packets on the veth (median) | captured == on the veth | dropped (worst run) | captured packets/s median | packets/s vs. tcpdump | capture CPU per 1M packets |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for s in $scenarios; do
		f=$tmp/$s.txt
		same=$(awk '$4 == $5 {n++} END {print n + 0}' "$f")
		cpm=$(awk -v c="$(median 3 "$f")" -v p="$(median 5 "$f")" 'BEGIN {printf "%.2f s", (p > 0 ? c / p * 1e6 : 0)}')
		vs=$(ratio_cell "$tmp/$s.pps" 1 "$tmp/tcpdump.pps" 1)
		[ $s = alone ] && { same=-; cpm=-; vs=-; }
		[ $s = alone ] || same="$same of $rounds runs"
		printf '| %s | %.0f (%s..%s) | %s | %s | %s | %s | %s | %s | %s |\n' \
			"$([ $s = alone ] && echo "stream alone" || echo "$s")" \
			"$(awk -v b="$(median 1 "$f")" 'BEGIN {print b / 1e6}')" \
			"$(awk '{print $1 / 1e6}' "$f" | sort -g | head -1 | awk '{printf "%.0f", $1}')" \
			"$(awk '{print $1 / 1e6}' "$f" | sort -g | tail -1 | awk '{printf "%.0f", $1}')" \
			"$(ratio_cell "$f" 1 "$tmp/alone.txt" 1)" "$(median 4 "$f")" "$same" \
			"$([ $s = alone ] && echo - || awk '{print $6}' "$f" | sort -g | tail -1)" \
			"$([ $s = alone ] && echo - || median 1 "$tmp/$s.pps")" "$vs" "$cpm"
	done
	echo
	for s in tcpdump ebpfcap; do
		awk -v s=$s '$4 != $5 {printf "- %s round %d: %d on the veth, %d captured, %d dropped\n", s, NR, $4, $5, $6}' "$tmp/$s.txt"
	done
}

for load in $loads; do
	measure $load
done
{
	for load in $loads; do
		if [ $load = max ]; then
			echo "Unpaced: $bytes bytes per run, as fast as the stream goes:"
		else
			echo "Paced at $((load / 1000000)) MB/s, $((load * 2)) bytes per run:"
		fi
		echo
		cat "$tmp/table.$load"
		echo
	done
	echo "Rounds: $rounds per load; one TCP connection per run; veth MTU 1500, TSO/GSO/GRO off; both captures with a 32 MiB kernel buffer, writing to tmpfs."
} >"$out"
cat "$out"
