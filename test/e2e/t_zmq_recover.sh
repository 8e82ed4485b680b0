# Remote collection recovers by itself and never loses or misleads silently
# (issue 21): an --export-connect exporter refused by a non-ZMQ server or by
# a key check keeps trying and delivers every record once a collector lets it
# in, saying once what it does; wrong keys and CURVE on one side only give a
# line and a non-zero status on both sides; a collector stalled past the
# heartbeat gets records written + reported lost == records sent, exactly.
# Exporters are test/zmq_peer (the same exporter code as ebpfcap --export,
# each its own process); collectors the real ebpfremote interface.
# Traffic only on loopback.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
[ -x "$PEER" ] || fail "$PEER is missing (make all)"
base=$((20000 + $$ % 1500 * 8 + 7))
ep="tcp://127.0.0.1:$base"

# stop_collector NAME STATUS: SIGTERM, then the exit status it must have
stop_collector() {
	kill -TERM $col
	reap $col 10
	expect_eq "collector $1: exit status" "$2" "$status"
}

count() { $PEER dump "$1" 2>/dev/null | grep -cE "$2" || true; }
# lost FILE HOST: records the Capture_Drops of HOST report
lost() { $PEER dump "$1" 2>/dev/null | awk -v h="host=$2" '$1 == h && $3 == "type=Capture_Drops" { sub("drops=", "", $6); n += $6 } END { print n + 0 }'; }
# lines FILE PATTERN: how many lines match
lines() { grep -cE "$2" "$1" || true; }

# ---- a non-ZMQ server on the collector's port for 2 s, then the collector ----
python3 - "$base" >"$TMP/junk.out" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); s.settimeout(0.2)
end, n = time.time() + 2, 0
while time.time() < end:
    try:
        c, _ = s.accept(); c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n"); time.sleep(0.05); c.close(); n += 1
    except socket.timeout:
        pass
s.close()
print(n)
PY
junk=$!
at_exit "kill -9 $junk"
sleep 0.3
$PEER send "$ep" late 300 --connect --log --rate 100 --wait-ms 15000 >"$TMP/late.out" 2>"$TMP/late.err" &
p1=$!
at_exit "kill -9 $p1"
reap $junk 10
[ "$(cat "$TMP/junk.out")" -ge 1 ] || fail "the exporter never reached the non-ZMQ server"
start_collector col-late --remote-bind --remote-endpoints "$ep"
reap $p1 30
expect_eq "exporter after a protocol error: exit status" 0 "$status"
sleep 0.5
stop_collector col-late 0
expect_eq "records delivered after the protocol error" 300 "$(count "$TMP/col-late.pcapng" '^host=late .*type=(TCP|UDP)')"
expect_eq "exporter: one line for the refusal" 1 "$(lines "$TMP/late.err" 'refused us: .*; retrying$')"
expect_eq "exporter: one line when connected" 1 "$(lines "$TMP/late.err" "^ebpfcap: export: connected to $ep$")"
ok "exporter: $(tr '\n' '|' <"$TMP/late.err")"

# ---- refused by key, then let in: the same exporter delivers ----
(umask 077; for k in exporter collector other; do $EBPFCAP --gen-keys >"$TMP/$k.key"; done)
grep '^public-key=' "$TMP/other.key" >"$TMP/allowed-other"
grep '^public-key=' "$TMP/exporter.key" >"$TMP/allowed"
cpub=$(sed -n 's/^public-key=//p' "$TMP/collector.key")
opub=$(sed -n 's/^public-key=//p' "$TMP/other.key")
start_collector refusing --remote-bind --remote-endpoints "$ep" --secret-key "$TMP/collector.key" --allowed-keys "$TMP/allowed-other"
sleep 0.3
$PEER send "$ep" keyed 200 --connect --log --server-key "$cpub" --secret-key "$TMP/exporter.key" --wait-ms 20000 >"$TMP/keyed.out" 2>"$TMP/keyed.err" &
p1=$!
at_exit "kill -9 $p1"
wait_for -p $p1 -l "$TMP/keyed.err" 10 "the exporter's refusal line" grep -q 'the key was refused' "$TMP/keyed.err"
sleep 1 # a few more refusals: still one line
stop_collector refusing 1
grep -q "^ebpfcap: remote: .* [1-9][0-9]* connections refused by key, .* 0 records written$" "$TMP/refusing.err" ||
	fail "refusing collector: $(cat "$TMP/refusing.err")"
ok "refusing collector: $(cat "$TMP/refusing.err")"
start_collector admitting --remote-bind --remote-endpoints "$ep" --secret-key "$TMP/collector.key" --allowed-keys "$TMP/allowed"
reap $p1 30
expect_eq "exporter after a key refusal: exit status" 0 "$status"
sleep 0.5
stop_collector admitting 0
expect_eq "records delivered after the key refusal" 200 "$(count "$TMP/admitting.pcapng" '^host=keyed ')"
expect_eq "exporter: one line for the key refusals" 1 "$(lines "$TMP/keyed.err" 'refused us: the key was refused')"
expect_eq "exporter: one line when let in" 1 "$(lines "$TMP/keyed.err" "^ebpfcap: export: connected to $ep$")"

# ---- misconfigurations: a line on each side, a failed status on each side ----
start_collector curve --remote-bind --remote-endpoints "$ep" --secret-key "$TMP/collector.key" --allowed-keys "$TMP/allowed"
sleep 0.3
for kind in wrong-server-key plaintext; do
	case $kind in
	wrong-server-key) set -- --server-key "$opub" --secret-key "$TMP/exporter.key" ;;
	plaintext) set -- ;;
	esac
	$PEER send "$ep" $kind 20 --connect --log --wait-ms 2000 "$@" >/dev/null 2>"$TMP/$kind.err"
	expect_eq "$kind exporter: exit status" 1 "$?"
	grep -q "^ebpfcap: export: never connected to $ep: " "$TMP/$kind.err" || fail "$kind exporter: $(cat "$TMP/$kind.err")"
	expect_eq "$kind exporter: one line for the refusals" 1 "$(lines "$TMP/$kind.err" 'refused us: ')"
	ok "$kind exporter: $(tr '\n' '|' <"$TMP/$kind.err")"
done
stop_collector curve 1
expect_eq "CURVE collector: records from them" 0 "$(count "$TMP/curve.pcapng" '^host=')"
grep -q "handshakes failed with $ep ([1-9][0-9]*): .*check --server-key" "$TMP/curve.err" || fail "CURVE collector: $(cat "$TMP/curve.err")"
ok "CURVE collector: $(cat "$TMP/curve.err")"

# A connecting collector whose key for the exporter is wrong: its line, and a failed status.
$PEER send "$ep" keyless 100 --secret-key "$TMP/exporter.key" --wait-ms 3000 >/dev/null 2>&1 &
p1=$!
at_exit "kill -9 $p1"
start_collector wrongkey --remote-endpoints "$ep" --server-key "$opub"
reap $p1 20
stop_collector wrongkey 1
grep -q "handshakes failed with $ep" "$TMP/wrongkey.err" || fail "connecting collector: $(cat "$TMP/wrongkey.err")"
ok "connecting collector with a wrong key: $(cat "$TMP/wrongkey.err")"

# ---- a collector stalled longer than the heartbeat (6 s): every record accounted for ----
total=12000
start_collector stalled --remote-endpoints "$ep"
$PEER send "$ep" stall $total --rate 1200 --log --hold-ms 3000 >"$TMP/stall.out" 2>"$TMP/stall.err" &
p1=$!
at_exit "kill -9 $p1"
sleep 1.5
kill -STOP $col
sleep 8
kill -CONT $col
reap $p1 40
expect_eq "stalling exporter: exit status" 0 "$status"
sleep 1
stop_collector stalled 0
got=$(count "$TMP/stalled.pcapng" '^host=stall .*type=(TCP|UDP)')
gone=$(lost "$TMP/stalled.pcapng" stall)
[ "$gone" -gt 0 ] || fail "no loss reported after an 8 s stall ($got records written)"
expect_eq "stalled collector: written $got + reported lost $gone" $total $((got + gone))
grep -q "^ebpfcap: remote: .*, $gone records lost in transit, .*; $got records written$" "$TMP/stalled.err" ||
	fail "stalled collector: $(cat "$TMP/stalled.err")"
ok "stalled collector: $(cat "$TMP/stalled.err")"
grep -q 'left (0 now); what was queued for it is lost' "$TMP/stall.err" || fail "exporter did not say the collector left: $(cat "$TMP/stall.err")"
ok "exporter: $(tr '\n' '|' <"$TMP/stall.err")"

# ---- a frame over 64 KiB to a listening collector: cut, and counted ----
start_collector oversize --remote-bind --remote-endpoints "$ep"
sleep 0.3
$PEER oversize "$ep" --connect --wait-ms 3000 || fail "oversize peer failed"
$PEER send "$ep" after 10 --connect --wait-ms 3000 >/dev/null || fail "peer after the oversized frame failed"
sleep 0.5
stop_collector oversize 0
expect_eq "records after a frame too big" 10 "$(count "$TMP/oversize.pcapng" '^host=after ')"
grep -q "^ebpfcap: remote: 0 malformed messages dropped, 0 records lost in transit, 0 connections refused by key, 1 connections cut for protocol errors (a frame over 64 KiB, or an exporter that died); 10 records written$" "$TMP/oversize.err" ||
	fail "listening collector after a frame too big: $(cat "$TMP/oversize.err")"
ok "listening collector: $(cat "$TMP/oversize.err")"
