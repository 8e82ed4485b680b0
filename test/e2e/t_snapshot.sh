# Connections open before the capture starts: reported once as Flow_Snapshot
# with their owners from /proc, and their close attributed to that owner.
. test/helpers/lib.sh
$TRAFFIC hold 2500 >"$TMP/hold.out" &
tpid=$!
at_exit "kill $tpid"
wait_for -p $tpid 5 "the held connection to start" grep -q client_pid "$TMP/hold.out"
line=$(cat "$TMP/hold.out")
client=$(field "$line" client_pid); server=$(field "$line" server_pid); port=$(field "$line" port)
[ -n "$client" ] || fail "the held connection did not start"

$EBPFCAP -w "$TMP/s.pcapng" 2>"$TMP/err" &
cap=$!
at_exit "kill -9 $cap"
wait_attached
wait $tpid || fail "traffic hold failed"
sleep 0.3
kill -INT $cap; wait $cap
expect_no_programs

expect_eq "snapshot of the client side" "$client tcp_client $port 1" \
	"$(tshark_fields "$TMP/s.pcapng" -Y "ebpf.type == \"Flow_Snapshot\" && ebpf.dstport == $port" -e ebpf.pid -e ebpf.comm -e ebpf.dstport -e ebpf.tcp_state)"
expect_eq "snapshot of the server side" "$server tcp_server $port" \
	"$(tshark_fields "$TMP/s.pcapng" -Y "ebpf.type == \"Flow_Snapshot\" && ebpf.srcport == $port" -e ebpf.pid -e ebpf.comm -e ebpf.srcport)"
expect_eq "the close of a connection older than the capture, attributed from the snapshot" "$client tcp_client 0" \
	"$(tshark_fields "$TMP/s.pcapng" -Y "ebpf.type == \"TCP_Close\" && ebpf.dstport == $port" -e ebpf.pid -e ebpf.comm -e ebpf.flags.no_owner)"

# A connection closed with unread data ends by RST, on both sides.
$EBPFCAP -w "$TMP/r.pcapng" 2>"$TMP/err" &
cap=$!
at_exit "kill -9 $cap"
wait_attached
line=$($TRAFFIC reset) || fail "traffic reset failed"
port=$(field "$line" port); client=$(field "$line" client_pid)
sleep 0.3
kill -INT $cap; wait $cap
expect_eq "client's close: RST, 6 bytes received and unread" "$client 1 6" \
	"$(tshark_fields "$TMP/r.pcapng" -Y "ebpf.type == \"TCP_Close\" && ebpf.dstport == $port" -e ebpf.pid -e ebpf.flags.reset -e ebpf.bytes_received)"
expect_eq "server's close: RST received, ECONNRESET" "1 104" \
	"$(tshark_fields "$TMP/r.pcapng" -Y "ebpf.type == \"TCP_Close\" && ebpf.srcport == $port" -e ebpf.flags.reset -e ebpf.error)"
