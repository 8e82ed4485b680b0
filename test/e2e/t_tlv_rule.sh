# One decoding rule for records (bpf/ebpf_tlv.h): `ebpfcap -r`, the collector
# (records from a ZMQ peer) and the dissector (tshark with the plugin) give
# the same verdict on TLVs at, just over and far over their documented
# maximum length: ifname of 16 bytes is a record, of 17 or 5001 bytes a
# malformed one, everywhere. Traffic only on loopback.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
f=$TMP/limits.pcapng
$BUILD/test/gen_records tlv-limits "$f" || fail "gen_records tlv-limits"

# The dissector: the two over-long ones malformed with the reason, the one at the maximum decoded.
tshark -r "$f" -T fields -E separator='|' -e frame.comment -e _ws.expert.message -e ebpf.pid >"$TMP/tshark.out" 2>"$TMP/tshark.err" ||
	fail "tshark: $(cat "$TMP/tshark.err")"
while IFS='|' read -r name verdict; do
	line=$(grep "^$name|" "$TMP/tshark.out") || fail "tshark: no packet for $name"
	case "$line" in *"$verdict"*) ok "dissector, $name: $verdict" ;; *) fail "dissector, $name: expected '$verdict' in: $line" ;; esac
done <<'W'
ifname-at-max|ifname-at-max|1000
ifname-one-over|Malformed eBPFFlow record: ebpf.ifname of 17 bytes, longer than its maximum 16
ifname-5001|Malformed eBPFFlow record: ebpf.ifname of 5001 bytes, longer than its maximum 16
W
expect_eq "dissector: malformed records" 2 "$(tshark -r "$f" -Y ebpf.expert.malformed 2>/dev/null | wc -l)"

# The reader: one event printed, one line per malformed record.
$EBPFCAP -r "$f" >"$TMP/r.out" 2>"$TMP/r.err" || fail "ebpfcap -r failed: $(cat "$TMP/r.err")"
expect_eq "ebpfcap -r: events printed" 1 "$(grep -c 'TCP_Connect' "$TMP/r.out")"
expect_eq "ebpfcap -r: malformed records skipped" 2 \
	"$(grep -c "^ebpfcap: skipping a malformed record: string longer than its TLV's maximum$" "$TMP/r.err")"

# The collector: each record a message of its own; two dropped as malformed, one written.
port=$((20000 + $$ % 1500 * 8 + 6))
start_collector col --remote-endpoints "tcp://127.0.0.1:$port"
expect_eq "zmq peer" "replayed=3" "$($PEER replay "tcp://127.0.0.1:$port" "$f")"
records_written() { $PEER dump "$TMP/col.pcapng" 2>/dev/null | grep -c '^host='; }
wait_for -p $col -l "$TMP/col.err" 10 "the collector to write a record" at_least 1 records_written
sleep 0.3
kill -TERM $col
reap $col 5
expect_eq "collector: exit status" 0 "$status"
expect_eq "collector: records written" 1 "$($PEER dump "$TMP/col.pcapng" | grep -c '^host=')"
grep -q "^ebpfcap: remote: 2 malformed messages dropped (last: string longer than its TLV's maximum),.* 1 records written$" "$TMP/col.err" ||
	fail "collector summary: $(cat "$TMP/col.err")"
ok "collector: $(cat "$TMP/col.err")"
