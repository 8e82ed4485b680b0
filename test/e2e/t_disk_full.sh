# A full disk leaves a capture file readable to its last complete block: a
# capture into a small tmpfs (made and unmounted here) stops with one line
# and a failed status, and the file it leaves is accepted whole by capinfos
# and by ebpfcap -r, for the local capture (batched writes) and for the
# collector (one block per write). Traffic only on loopback.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
command -v capinfos >/dev/null || fail "capinfos is missing (apt-get install wireshark-common)"
full=$TMP/full
mkdir "$full"
mount -t tmpfs -o size=64k tmpfs "$full" || fail "mount tmpfs"
at_exit "umount -l $full"

# check_file NAME FILE: capinfos and ebpfcap -r read all of it
check_file() {
	capinfos "$2" >"$TMP/capinfos.out" 2>&1 || fail "$1: capinfos refuses the file: $(cat "$TMP/capinfos.out")"
	ok "$1: capinfos: $(grep -i 'Number of packets' "$TMP/capinfos.out" | tr -s ' ')"
	$EBPFCAP -r "$2" >"$TMP/r.out" 2>"$TMP/r.err" || fail "$1: ebpfcap -r fails: $(cat "$TMP/r.err")"
	[ -s "$TMP/r.err" ] && fail "$1: ebpfcap -r complains: $(cat "$TMP/r.err")"
	[ "$(wc -l <"$TMP/r.out")" -gt 0 ] || fail "$1: ebpfcap -r printed nothing"
	ok "$1: ebpfcap -r reads all $(wc -l <"$TMP/r.out") events"
}

# ---- the local capture ----
$EBPFCAP -w "$full/local.pcapng" --event-types TCP_Connect,TCP_Accept,TCP_Close 2>"$TMP/local.err" &
cap=$!
at_exit "kill -9 $cap"
wait_attached
for i in 1 2 3 4 5 6 7 8 9 10; do
	kill -0 $cap 2>/dev/null || break
	$TRAFFIC tcp 200 >/dev/null || fail "traffic"
done
reap $cap 10
[ "$status" -ne 0 ] || fail "local capture: exit 0 on a full disk"
expect_no_programs
expect_eq "local capture: stderr lines" 1 "$(wc -l <"$TMP/local.err")"
grep -q "No space left on device" "$TMP/local.err" || fail "local capture: $(cat "$TMP/local.err")"
ok "local capture: $(cat "$TMP/local.err")"
check_file "local capture" "$full/local.pcapng"
rm -f "$full/local.pcapng"

# ---- the collector: records from a ZMQ peer until the disk is full ----
ep="tcp://127.0.0.1:$((20000 + $$ % 1500 * 8 + 5))"
$EBPFCAP --extcap-interface ebpfremote --capture --fifo "$full/remote.pcapng" --remote-endpoints "$ep" 2>"$TMP/remote.err" &
col=$!
at_exit "kill -9 $col"
$PEER send "$ep" filler 2000 --rate 4000 >/dev/null 2>&1
reap $col 10
[ "$status" -ne 0 ] || fail "collector: exit 0 on a full disk"
grep -q "No space left on device" "$TMP/remote.err" || fail "collector: $(cat "$TMP/remote.err")"
ok "collector: $(tr '\n' '|' <"$TMP/remote.err")"
check_file "collector" "$full/remote.pcapng"
