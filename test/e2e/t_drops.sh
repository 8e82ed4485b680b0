# Loss is never silent: with the capture frozen (SIGSTOP) during a burst, a
# 64 KiB ring buffer overflows; the loss comes out as Capture_Drops records
# whose sum equals the kernel's count, and as one line on stderr.
. test/helpers/lib.sh
$EBPFCAP -w "$TMP/d.pcapng" --ringbuf-size 64 --event-types TCP_Connect,TCP_Accept,TCP_Close 2>"$TMP/err" &
cap=$!
at_exit "kill -9 $cap"
wait_attached
kill -STOP $cap
$TRAFFIC tcp 1000 >/dev/null || fail "traffic"
kill -CONT $cap
sleep 1.5 # one drops check at least
kill -INT $cap
wait $cap
expect_no_programs

lost=$(sed -n 's/^ebpfcap: \([0-9]*\) events lost because the kernel ring buffer was full.*/\1/p' "$TMP/err")
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no loss reported on stderr: $(cat "$TMP/err")"
ok "stderr: $(cat "$TMP/err")"
recorded=$(tshark_fields "$TMP/d.pcapng" -Y 'ebpf.type == "Capture_Drops"' -e ebpf.drops | awk '{s += $1} END {print s + 0}')
expect_eq "events lost, as Capture_Drops records say" "$lost" "$recorded"
seen=$(tshark_fields "$TMP/d.pcapng" -Y 'ebpf.type != "Capture_Drops" && ebpf.comm matches "tcp_"' -e ebpf.pid | wc -l)
[ "$seen" -lt 4000 ] || fail "nothing was lost: $seen events of 4000"
ok "$seen of about 4000 events kept, $lost lost and accounted for"
