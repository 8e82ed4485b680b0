# TCP_Retransmit under real loss: a veth into a namespace the test makes,
# with a tc program dropping a quarter of the packets (no netem here).
. test/helpers/lib.sh
NS=ebpfcap-rtx
HOST=10.213.9.1 PEER=10.213.9.2 PORT=5599

ip netns add $NS || fail "ip netns add"
at_exit "ip netns del $NS"
ip link add ebpfrtx0 type veth peer name ebpfrtx1 || fail "veth"
at_exit "ip link del ebpfrtx0"
ip link set ebpfrtx1 netns $NS
ip addr add $HOST/30 dev ebpfrtx0 && ip link set ebpfrtx0 up
ip -n $NS addr add $PEER/30 dev ebpfrtx1 && ip -n $NS link set ebpfrtx1 up && ip -n $NS link set lo up
# Drop on the peer's ingress: a drop at our own egress is no loss to TCP,
# which sees the failed send and sends the data again as new data.
ip netns exec $NS tc qdisc add dev ebpfrtx1 clsact &&
	ip netns exec $NS tc filter add dev ebpfrtx1 ingress bpf da obj "$BUILD/test/lossy.bpf.o" sec tc \
	|| fail "attaching the lossy tc program"

ip netns exec $NS $TRAFFIC sink $PEER $PORT >"$TMP/sink.out" &
sink=$!
at_exit "kill $sink"
wait_for -p $sink 5 "the sink to listen" grep -q listening "$TMP/sink.out"

start_ebpfcap "$TMP/err" -w "$TMP/rtx.pcapng"
timeout 60 $TRAFFIC bulk $PEER $PORT 512 >"$TMP/bulk.out" || fail "bulk transfer failed"
client=$(field "$(cat "$TMP/bulk.out")" client_pid)
wait $sink
sleep 0.3
kill -INT $cap; wait $cap
expect_no_programs

n=$(tshark_fields "$TMP/rtx.pcapng" -Y "ebpf.type == \"TCP_Retransmit\" && ebpf.pid == $client && ebpf.dst == $PEER && ebpf.dstport == $PORT && ebpf.comm == \"tcp_client\"" -e ebpf.retransmits | wc -l)
[ "$n" -gt 0 ] || fail "no TCP_Retransmit event attributed to the client ($client)"
ok "$n TCP_Retransmit events attributed to tcp_client($client)"
close=$(tshark_fields "$TMP/rtx.pcapng" -Y "ebpf.type == \"TCP_Close\" && ebpf.pid == $client" -e ebpf.retransmits -e ebpf.bytes_sent)
set -- $close
[ "${1:-0}" -gt 0 ] || fail "close reports no retransmits: '$close'"
expect_eq "bytes sent, retransmissions not counted twice" $((512 * 1024)) "$2"
last=$(tshark_fields "$TMP/rtx.pcapng" -Y "ebpf.type == \"TCP_Retransmit\" && ebpf.pid == $client" -e ebpf.retransmits | tail -1)
expect_eq "the last retransmit's running count equals the close's total" "$1" "$last"
ok "close: $1 segments retransmitted"
