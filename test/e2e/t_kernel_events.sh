# Every TCP and UDP lifecycle step from the real kernel, attributed to the
# process that did it, with what the kernel measured. Read back through
# tshark and the plugin.
. test/helpers/lib.sh

# capture OUT ARGS...: starts the binary in the background ($cap).
capture() {
	out=$1; shift
	$EBPFCAP -w "$out" --debug "$@" 2>"$out.err" &
	cap=$!
	at_exit "kill $cap"
	wait_attached
}
stop() { sleep 0.3; kill -INT $cap; wait $cap; expect_no_programs; }


# -- TCP, IPv4 and IPv6, a non-root client, every field of connect and close.
for fam in 4 6; do
	[ $fam = 4 ] && { lo=127.0.0.1; six=; } || { lo=::1; six=6; }
	capture "$TMP/tcp$fam.pcapng"
	traffic tcp 3 $fam 65534
	stop
	f="$TMP/tcp$fam.pcapng"
	tshark_fields "$f" -Y "ebpf.type == \"TCP_Connect\" && ebpf.dstport == $port" \
		-e ebpf.pid -e ebpf.comm -e ebpf.uid -e ebpf.gid -e ebpf.ppid -e ebpf.parent.comm -e ebpf.src$six -e ebpf.dst$six >"$TMP/c.txt"
	expect_eq "IPv$fam connects by uid 65534, child of the generator" 3 \
		"$(grep -cx "$client tcp_client 65534 65534 $tpid traffic $lo $lo" "$TMP/c.txt")"
	lat=$(tshark_fields "$f" -Y "ebpf.type == \"TCP_Connect\" && ebpf.dstport == $port && ebpf.latency > 0" -e ebpf.latency | wc -l)
	expect_eq "IPv$fam connects with latency > 0" 3 "$lat"
	exe=$(tshark_fields "$f" -Y "ebpf.type == \"TCP_Connect\" && ebpf.dstport == $port" -e ebpf.exe | sort -u)
	expect_eq "IPv$fam executable path" "$(readlink -f $TRAFFIC)" "$exe"
	tshark_fields "$f" -Y "ebpf.type == \"TCP_Close\" && ebpf.dstport == $port && ebpf.pid == $client" \
		-e ebpf.uid -e ebpf.bytes_sent -e ebpf.bytes_received -e ebpf.retransmits -e ebpf.flags.reset >"$TMP/cl.txt"
	expect_eq "IPv$fam client closes: uid, 5 B out, 6 B in, no retransmit, FIN" 3 "$(grep -cx "65534 5 6 0 0" "$TMP/cl.txt")"
	n=$(tshark_fields "$f" -Y "ebpf.type == \"TCP_Close\" && ebpf.pid == $client && ebpf.duration > 0 && ebpf.srtt > 0" -e ebpf.pid | wc -l)
	expect_eq "IPv$fam closes carry duration and srtt" 3 "$n"
	n=$(tshark_fields "$f" -Y "ebpf.type == \"TCP_Accept\" && ebpf.srcport == $port && ebpf.pid == $server && ebpf.uid == 0" -e ebpf.pid | wc -l)
	expect_eq "IPv$fam accepts in the acceptor, not the listener's creator ($tpid)" 3 "$n"
	expect_eq "IPv$fam listen() by the listener's creator, on its port, no peer" "$tpid traffic $lo 0 10" \
		"$(tshark_fields "$f" -Y "ebpf.type == \"TCP_Listen\" && ebpf.srcport == $port" \
			-e ebpf.pid -e ebpf.comm -e ebpf.src$six -e ebpf.dstport -e ebpf.tcp_state)"
done

# -- Refused connects.
for fam in 4 6; do
	capture "$TMP/ref$fam.pcapng"
	traffic refused $fam
	stop
	tshark_fields "$TMP/ref$fam.pcapng" -Y "ebpf.type == \"TCP_Connect_Failed\" && ebpf.dstport == $port" \
		-e ebpf.pid -e ebpf.comm -e ebpf.error >"$TMP/r.txt"
	expect_eq "IPv$fam refused connect" "$client tcp_client 111" "$(cat "$TMP/r.txt")"
done

# -- UDP: connect+send, sendto, sendmsg; 20 datagrams of 100 bytes each way counted exactly.
for mode in connect sendto sendmsg; do
	for fam in 4 6; do
		capture "$TMP/udp.pcapng" --udp-interval 100
		traffic udp $mode 20 $fam
		sleep 0.5
		stop
		f="$TMP/udp.pcapng"
		sum() { tshark_fields "$f" -Y "$1" -e "$2" | awk '{s += $1} END {print s + 0}'; }
		sent="ebpf.type == \"UDP_Send\" && ebpf.pid == $client && ebpf.dstport == $port"
		recv="ebpf.type == \"UDP_Recv\" && ebpf.pid == $server && ebpf.srcport == $port"
		expect_eq "UDP $mode IPv$fam: datagrams sent" 20 "$(sum "$sent" ebpf.packets)"
		expect_eq "UDP $mode IPv$fam: bytes sent" 2000 "$(sum "$sent" ebpf.bytes_sent)"
		expect_eq "UDP $mode IPv$fam: datagrams received (with the sender's address)" 20 "$(sum "$recv && ebpf.dstport > 0" ebpf.packets)"
		expect_eq "UDP $mode IPv$fam: bytes received" 2000 "$(sum "$recv" ebpf.bytes_received)"
	done
done

# -- Filters act in the kernel: filtered events never reach user space.
capture "$TMP/filt.pcapng" --comm tcp_server --family 4
traffic tcp 4 4
traffic tcp 2 6
stop
n=$(tshark_fields "$TMP/filt.pcapng" -Y "ebpf.comm != \"tcp_server\" || ebpf.family != 2" -e ebpf.pid | wc -l)
expect_eq "events that slipped through --comm/--family" 0 "$n"
n=$(tshark_fields "$TMP/filt.pcapng" -Y "ebpf.type == \"TCP_Accept\" && ebpf.srcport == $port" -e ebpf.pid | wc -l)
expect_eq "IPv6 accepts of tcp_server filtered out" 0 "$n"
written=$(sed -n 's/^ebpfcap: \([0-9]*\) written, \([0-9]*\) emitted, \([0-9]*\) filtered.*/\1 \2 \3/p' "$TMP/filt.pcapng.err")
set -- $written
[ "$1" = "$2" ] || fail "written ($1) != emitted ($2): user space saw events the kernel should have dropped"
[ "$3" -gt 0 ] || fail "the kernel counted no filtered events"
ok "kernel counters: $1 written = $2 emitted, $3 filtered before the ring buffer"

capture "$TMP/pid.pcapng" --pid $$ --event-types TCP_Connect
traffic tcp 2 4   # the generator is our child: followed through fork
stop
expect_eq "--pid follows children: their connects" 2 \
	"$(tshark_fields "$TMP/pid.pcapng" -Y 'ebpf.type == "TCP_Connect" && ebpf.comm == "tcp_client"' -e ebpf.pid | wc -l)"
expect_eq "--event-types TCP_Connect: nothing else" 0 \
	"$(tshark_fields "$TMP/pid.pcapng" -Y 'ebpf.type != "TCP_Connect"' -e ebpf.pid | wc -l)"

# -- Exec notes come before the events of their process even when a drain of
# the event ring outlasts the process. A reader that first reads nothing, then
# slowly, leaves ebpfcap blocked in a write in the middle of draining a backlog
# of 20000 events while short processes exec, connect and exit. Each must still
# carry its executable: all 30 carried none (3 runs of 3) when the exec ring
# was drained only between drains of the event ring.
mkfifo "$TMP/slow" "$TMP/go"
python3 -c 'import sys, time
src, dst = open(sys.argv[1], "rb", buffering=0), open(sys.argv[2], "wb")
open(sys.argv[3]).read()
while (chunk := src.read(16384)):
    dst.write(chunk); time.sleep(0.01)' "$TMP/slow" "$TMP/busy.pcapng" "$TMP/go" &
reader=$!
at_exit "kill $reader"
capture "$TMP/slow"
$TRAFFIC tcp 5000 4 >/dev/null || fail "traffic tcp 5000"
echo go >"$TMP/go"
sleep 0.2
for i in $(seq 30); do $TRAFFIC tcp 1 4 >>"$TMP/short.txt"; done
stop
wait $reader
short=$(sed -n 's/^client_pid=\([0-9]*\) .*/\1/p' "$TMP/short.txt" | paste -sd, -)
expect_eq "connects of 30 short processes during a blocked drain, with their executable" "30 $(readlink -f $TRAFFIC)" \
	"$(tshark_fields "$TMP/busy.pcapng" -Y "ebpf.type == \"TCP_Connect\" && ebpf.pid in {$short}" -e ebpf.exe |
		sort | uniq -c | awk '{print $1, $2}')"
grep -q " 0 lost," "$TMP/slow.err" || fail "events lost behind the slow reader: $(tail -1 "$TMP/slow.err")"

# -- Socket state is removed on close: 2000 connections leave the owner map empty.
capture "$TMP/many.pcapng" --event-types TCP_Connect
traffic tcp 2000 4
sleep 0.5
left=$(bpftool map dump name ebpfcap_owners 2>/dev/null | grep -cE '"key"|^key:' || true)
[ "$left" -le 10 ] || fail "ebpfcap_owners holds $left entries after 2000 closed connections"
ok "ebpfcap_owners holds $left entries after 2000 closed connections"
stop
