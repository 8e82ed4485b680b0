# The walking skeleton end to end: tshark runs the extcap, the kernel sees
# known connections, the plugin decodes them. Exact counts, exact owners.
. test/helpers/lib.sh
N=5

# 1. The command from the README/issue, live, with a display filter.
tshark -i ebpfevents -a duration:6 -Y 'ebpf.type == "TCP_Connect"' \
	-T fields -e ebpf.pid -e ebpf.comm -e ebpf.dstport >"$TMP/live.txt" 2>"$TMP/live.err" &
live=$!
at_exit "kill $live"
wait_attached
line=$($TRAFFIC tcp 1) || fail "traffic failed"
wait $live || fail "tshark failed: $(cat "$TMP/live.err")"
want="$(field "$line" client_pid)	tcp_client	$(field "$line" port)"
grep -qx "$want" "$TMP/live.txt" || fail "live tshark output lacks '$want': $(cat "$TMP/live.txt")"
ok "live: tshark -i ebpfevents -Y 'ebpf.type == \"TCP_Connect\"' printed $want"
expect_eq "live: only TCP_Connect lines from our client on that port" 1 "$(grep -c "	$(field "$line" port)\$" "$TMP/live.txt")"
expect_no_programs

# 2. A capture to a file through tshark, N connections, every event checked.
tshark -i ebpfevents -w "$TMP/cap.pcapng" >/dev/null 2>"$TMP/cap.err" &
cap=$!
at_exit "kill $cap"
wait_attached
line=$($TRAFFIC tcp $N) || fail "traffic failed"
client=$(field "$line" client_pid); server=$(field "$line" server_pid); port=$(field "$line" port)
sleep 0.5
kill -TERM $cap; wait $cap # tshark: a background job of sh ignores SIGINT
expect_no_programs

on_port="(ebpf.srcport == $port || ebpf.dstport == $port)"
tshark_fields "$TMP/cap.pcapng" -Y "ebpf.type == \"TCP_Connect\" && $on_port" \
	-e ebpf.pid -e ebpf.comm -e ebpf.dst -e ebpf.dstport >"$TMP/connect.txt"
expect_eq "connect events" $N "$(wc -l <"$TMP/connect.txt")"
expect_eq "connect events by the client" $N "$(grep -cx "$client tcp_client 127.0.0.1 $port" "$TMP/connect.txt")"

tshark_fields "$TMP/cap.pcapng" -Y "ebpf.type == \"TCP_Accept\" && $on_port" \
	-e ebpf.pid -e ebpf.comm -e ebpf.srcport >"$TMP/accept.txt"
expect_eq "accept events by the accepting process" $N "$(grep -cx "$server tcp_server $port" "$TMP/accept.txt")"
expect_eq "accept events" $N "$(wc -l <"$TMP/accept.txt")"

tshark_fields "$TMP/cap.pcapng" -Y "ebpf.type == \"TCP_Close\" && $on_port" \
	-e ebpf.pid -e ebpf.comm -e ebpf.bytes_sent -e ebpf.bytes_received >"$TMP/close.txt"
expect_eq "close events" $((2 * N)) "$(wc -l <"$TMP/close.txt")"
expect_eq "client closes (5 B out, 6 B in)" $N "$(grep -cx "$client tcp_client 5 6" "$TMP/close.txt")"
expect_eq "server closes (6 B out, 5 B in)" $N "$(grep -cx "$server tcp_server 6 5" "$TMP/close.txt")"

# The listening socket, by the generator that made it (the parent of both).
maker=$(tshark_fields "$TMP/cap.pcapng" -Y "ebpf.type == \"TCP_Connect\" && ebpf.pid == $client" -e ebpf.ppid | head -1)
expect_eq "listen() on our port, by the generator" "$maker traffic" \
	"$(tshark_fields "$TMP/cap.pcapng" -Y "ebpf.type == \"TCP_Listen\" && $on_port" -e ebpf.pid -e ebpf.comm)"

# Nothing from softirq or a wrong process: every event on our port is one of the three.
others=$(tshark_fields "$TMP/cap.pcapng" -Y "$on_port && !(ebpf.pid == $client || ebpf.pid == $server || ebpf.pid == $maker)" \
	-e ebpf.pid | wc -l)
expect_eq "events on our port from other processes" 0 "$others"
