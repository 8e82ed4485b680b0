# --port and --family apply to UDP events too, and run in the kernel before
# the ring-buffer reservation: a capture whose filters match nothing loses
# nothing, even with its ring buffer frozen during a burst.
. test/helpers/lib.sh
P=25941 Q=25942
LOADGEN=$BUILD/bench/loadgen
[ -x "$LOADGEN" ] || fail "$LOADGEN is missing (make $LOADGEN)"

# 1. UDP and --port: request/response pairs on P and on Q, a capture of P only.
$EBPFCAP -w "$TMP/port.pcapng" --port $P --event-types UDP_Send,UDP_Recv 2>"$TMP/port.err" &
cap=$!
at_exit "kill -9 $cap"
objs=$(attached_objects $cap) || exit 1
$LOADGEN --port $P udp 1 100 >/dev/null || fail "loadgen on $P"
$LOADGEN --port $Q udp 1 100 >/dev/null || fail "loadgen on $Q"
sleep 1.5 # one UDP sweep at least: summaries of later datagrams
kill -INT $cap; reap $cap 10
expect_eq "--port $P capture: exit status" 0 "$status"
expect_released "--port capture" "$objs"
ports=$(tshark_fields "$TMP/port.pcapng" -e ebpf.srcport -e ebpf.dstport | tr ' ' '\n' | grep -c -x $Q)
expect_eq "--port $P: events of port $Q" 0 "$ports"
# 100 pairs: the server (recvfrom, sendto) received and sent 100 datagrams of port P,
# the client sent 100 to P. The client's 100 replies are not in: it reads them
# with recv() on an unconnected socket, so the kernel side does not know their
# source port (a known limit of sock_recv_length; a cgroup recvmsg hook would know).
sums=$(tshark_fields "$TMP/port.pcapng" -Y "ebpf.srcport == $P || ebpf.dstport == $P" -e ebpf.type -e ebpf.packets |
	awk '{n[$1] += $2} END {printf "send=%d recv=%d", n[6], n[7]}')
expect_eq "--port $P: datagrams of port $P (server both ways, client sends)" "send=200 recv=100" "$sums"

# 2. UDP and --family: IPv4 and IPv6 datagrams, a capture of IPv6 only.
$EBPFCAP -w "$TMP/fam.pcapng" --family 6 --event-types UDP_Send,UDP_Recv 2>"$TMP/fam.err" &
cap=$!
at_exit "kill -9 $cap"
objs=$(attached_objects $cap) || exit 1
traffic udp sendto 5 4; v4_client=$client
traffic udp sendto 5 6; v6_client=$client
sleep 0.3
kill -INT $cap; reap $cap 10
expect_eq "--family 6 capture: exit status" 0 "$status"
expect_released "--family capture" "$objs"
expect_eq "--family 6: events of the IPv4 sender" "" "$(tshark_fields "$TMP/fam.pcapng" -Y "ebpf.pid == $v4_client" -e ebpf.type)"
expect_eq "--family 6: the IPv6 sender's first datagram" "6 10" \
	"$(tshark_fields "$TMP/fam.pcapng" -Y "ebpf.pid == $v6_client" -e ebpf.type -e ebpf.family | head -1)"
[ -z "$(tshark_fields "$TMP/fam.pcapng" -Y 'ebpf.family != 10' -e ebpf.type)" ] || fail "--family 6 recorded other families"
ok "--family 6: only IPv6 events"

# 3. Nothing matches: a frozen 64 KiB ring buffer and a burst of other traffic lose nothing.
$EBPFCAP -w "$TMP/none.pcapng" --ringbuf-size 64 --port $Q 2>"$TMP/none.err" &
cap=$!
at_exit "kill -9 $cap"
objs=$(attached_objects $cap) || exit 1
kill -STOP $cap
$TRAFFIC tcp 1000 >/dev/null || fail "traffic"
$LOADGEN --port $P udp 1 1000 >/dev/null || fail "loadgen on $P"
kill -CONT $cap
sleep 1.5 # one drops check at least
kill -INT $cap; reap $cap 10
expect_eq "--port $Q capture of nothing: exit status" 0 "$status"
expect_released "--port capture of nothing" "$objs"
expect_eq "--port $Q capture of nothing: stderr" "" "$(cat "$TMP/none.err")"
expect_eq "--port $Q capture of nothing: records" 0 "$(tshark_fields "$TMP/none.pcapng" -e ebpf.type | wc -l)"
