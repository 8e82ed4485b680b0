# Our pcapng as Wireshark reads it: times, lengths, comments, two link types.
. test/lib.sh
$BUILD/test/unit_pcapng --write "$TMP/sample.pcapng" >/dev/null || fail "writing the sample"
tshark -r "$TMP/sample.pcapng" -T fields -E separator=' ' -e frame.number -e frame.time_epoch \
	-e frame.cap_len -e frame.len -e frame.interface_name -e frame.comment >"$TMP/out.txt" 2>"$TMP/err" \
	|| fail "tshark: $(cat "$TMP/err")"
cat >"$TMP/want.txt" <<'W'
1 1700000000.123456789 3 3 ebpfevents 
2 1700000000.123457789 5 10 ebpfevents a comment
3 1700000000.123458789 14 14 eth0 
W
diff -u "$TMP/want.txt" "$TMP/out.txt" || fail "tshark reads our pcapng differently"
ok "tshark reads times, lengths, interfaces and comments exactly"
