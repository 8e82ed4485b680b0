# Remote collection: exporters (test/zmq_peer, each its own process, one in
# a network namespace this test makes) into one collector, the ebpfremote
# interface of ebpfcap. Exact per-host counts; an exporter killed with -9
# and restarted is picked up again; garbage, wrong versions and oversized
# frames are counted and survived; CURVE keys decide who gets through; a
# collector that stalls costs counted drops, never silent ones.
# Traffic only on loopback and on the veth pair made here (10.213.0.0/30).
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
[ -x "$PEER" ] || fail "$PEER is missing (make all)"
$EBPFCAP --extcap-interfaces | grep -q '^interface {value=ebpfremote}{display=Remote eBPF Events (ZMQ)}$' ||
	fail "ebpfcap does not offer the ebpfremote interface (extcap/remote.c not wired into main/options/extcap yet?)"

# 8 ports of our own, below the ephemeral range (32768-) where clients take theirs
base=$((20000 + $$ % 1500 * 8))
port() { echo $((base + $1)); }
ep() { echo "tcp://127.0.0.1:$(port $1)"; }

stop_collector() {
	kill -TERM $col
	reap $col 5
	expect_eq "collector $name: exit status after SIGTERM" 0 "$status"
}

# count FILE PATTERN: records whose dump line matches (grep -E)
count() { $PEER dump "$1" 2>/dev/null | grep -cE "$2" || true; }

# wait_count FILE PATTERN N: until at least N records match (at most 15 s)
wait_count() { wait_for 15 "$1: $3 records matching '$2'" at_least "$3" count "$1" "$2"; }

# drops FILE HOST: the sum of Capture_Drops records from HOST
drops() { $PEER dump "$1" 2>/dev/null | awk -v h="host=$2" '$1 == h && $3 == "type=Capture_Drops" { sub("drops=", "", $6); n += $6 } END { print n + 0 }'; }

expect_quiet() { [ -s "$TMP/$1.err" ] && fail "collector $1: stderr not empty: $(cat "$TMP/$1.err")"; ok "collector $1: nothing on stderr"; }

# ---- a host in a network namespace, reached over a veth pair ----
ns=ebpfzmq$$
ip netns add $ns || fail "ip netns add"
at_exit "ip netns del $ns"
ip link add vzh$$ type veth peer name vzn$$ || fail "ip link add veth"
at_exit "ip link del vzh$$"
ip link set vzn$$ netns $ns
ip addr add 10.213.0.1/30 dev vzh$$
ip link set vzh$$ up
ip netns exec $ns ip addr add 10.213.0.2/30 dev vzn$$
ip netns exec $ns ip link set vzn$$ up
ip netns exec $ns ip link set lo up

# ---- four hosts into one capture; one of them killed -9 and restarted ----
start_collector multi --remote-endpoints "$(ep 0),$(ep 1), tcp://10.213.0.2:$(port 2),$(ep 3)"
$PEER send "$(ep 0)" alpha 1000 --rate 2000 --machine-id aaaa >"$TMP/alpha.out" & p1=$!
$PEER send "$(ep 1)" beta 500 --rate 1000 >"$TMP/beta.out" & p2=$!
ip netns exec $ns $PEER send "tcp://10.213.0.2:$(port 2)" gamma 300 --rate 1000 >"$TMP/gamma.out" & p3=$!
$PEER send "$(ep 3)" delta 20000 --rate 500 --uid 1 >/dev/null 2>&1 & p4=$!
at_exit "kill -9 $p1 $p2 $p3 $p4"
wait_count "$TMP/multi.pcapng" '^host=delta .* uid=1 ' 50
kill -9 $p4
reap $p4
kill -0 $col || fail "collector died with an exporter"
$PEER send "$(ep 3)" delta 300 --uid 2 >"$TMP/delta2.out" || fail "restarted exporter failed"
for p in $p1 $p2 $p3; do reap $p 20; [ $status -eq 0 ] || fail "exporter $p failed"; done
wait_count "$TMP/multi.pcapng" '^host=' 2100
sleep 0.3 # nothing more may come
stop_collector
f=$TMP/multi.pcapng
expect_eq "alpha records" 1000 "$(count "$f" '^host=alpha machine=aaaa type=')"
expect_eq "beta records" 500 "$(count "$f" '^host=beta ')"
expect_eq "gamma records (from the namespace)" 300 "$(count "$f" '^host=gamma ')"
expect_eq "delta records after its restart" 300 "$(count "$f" '^host=delta .* uid=2 ')"
before=$(count "$f" '^host=delta .* uid=1 ')
[ "$before" -ge 50 ] && [ "$before" -lt 20000 ] || fail "delta before kill -9: $before records"
ok "delta before kill -9: $before records"
expect_eq "records without a host" 0 "$(count "$f" '^host=- ')"
expect_eq "records of types not sent" 0 "$(count "$f" 'type=(Unknown|Capture_Drops)')"
expect_quiet multi
# Through Wireshark's dissector: the host is a field users filter on.
expect_eq "tshark: ebpf.host == \"gamma\"" 300 "$(tshark_fields "$f" -Y 'ebpf.host == "gamma"' -e ebpf.pid | wc -l)"

# ---- garbage, lies about lengths, wrong versions, a frame too big ----
start_collector garbage --remote-endpoints "$(ep 4)"
n=$($PEER garbage "$(ep 4)" evil | sed -n 's/^garbage=//p')
[ "${n:-0}" -ge 15 ] || fail "garbage peer sent '$n' messages"
$PEER oversize "$(ep 4)" || fail "oversize peer failed"
$PEER send "$(ep 4)" after 10 >/dev/null || fail "peer after the garbage failed"
wait_count "$TMP/garbage.pcapng" '^host=after ' 10
kill -0 $col || fail "collector died of garbage"
stop_collector
expect_eq "the valid record after the garbage" 1 "$(count "$TMP/garbage.pcapng" '^host=evil ')"
expect_eq "records after a frame too big" 10 "$(count "$TMP/garbage.pcapng" '^host=after ')"
expect_eq "garbage collector: stderr lines" 1 "$(wc -l <"$TMP/garbage.err")"
grep -q "^ebpfcap: remote: $n malformed messages dropped (last: [a-z -]*), 0 records lost in transit, 0 connections refused by key, 1 connections cut for protocol errors; 11 records written$" "$TMP/garbage.err" ||
	fail "summary: $(cat "$TMP/garbage.err")"
ok "summary: $(cat "$TMP/garbage.err")"

# ---- CURVE, collector connects: only the exporter with the right key gets through ----
(umask 077; $EBPFCAP --gen-keys >"$TMP/exporter.key"; $EBPFCAP --gen-keys >"$TMP/impostor.key"; $EBPFCAP --gen-keys >"$TMP/collector.key")
pub=$(sed -n 's/^public-key=//p' "$TMP/exporter.key")
[ ${#pub} -eq 40 ] || fail "--gen-keys: no 40-character public key: $(cat "$TMP/exporter.key")"
start_collector curve --remote-endpoints "$(ep 5),$(ep 6),$(ep 7)" --server-key "$pub"
$PEER send "$(ep 5)" trusted 200 --secret-key "$TMP/exporter.key" >/dev/null & p1=$!
$PEER send "$(ep 6)" impostor 200 --secret-key "$TMP/impostor.key" --wait-ms 3000 >/dev/null 2>"$TMP/impostor.err" & p2=$!
$PEER send "$(ep 7)" cleartext 200 --wait-ms 3000 >/dev/null 2>"$TMP/cleartext.err" & p3=$!
for p in $p1 $p2 $p3; do reap $p 20; done
wait_count "$TMP/curve.pcapng" '^host=trusted ' 200
sleep 0.3
kill -TERM $col
reap $col 5
expect_eq "collector curve: exit status with endpoints whose keys never worked" 1 "$status"
expect_eq "CURVE: records from the exporter with the right key" 200 "$(count "$TMP/curve.pcapng" '^host=trusted ')"
expect_eq "CURVE: records from the exporter with another key" 0 "$(count "$TMP/curve.pcapng" '^host=impostor ')"
expect_eq "CURVE: records from the exporter without CURVE" 0 "$(count "$TMP/curve.pcapng" '^host=cleartext ')"
grep -q "no subscriber" "$TMP/impostor.err" || fail "the impostor saw a subscription"
grep -q "handshakes failed with .*$(port 6).*$(port 7)" "$TMP/curve.err" || fail "summary lacks the failed handshakes: $(cat "$TMP/curve.err")"
ok "summary: $(cat "$TMP/curve.err")"

# ---- CURVE, collector binds (exporters behind NAT connect): the allow-list decides ----
grep '^public-key=' "$TMP/exporter.key" >"$TMP/allowed"
cpub=$(sed -n 's/^public-key=//p' "$TMP/collector.key")
start_collector bind --remote-bind --remote-endpoints "$(ep 5)" --secret-key "$TMP/collector.key" --allowed-keys "$TMP/allowed"
sleep 0.3
$PEER send "$(ep 5)" listed 200 --connect --server-key "$cpub" --secret-key "$TMP/exporter.key" >/dev/null & p1=$!
$PEER send "$(ep 5)" unlisted 200 --connect --server-key "$cpub" --secret-key "$TMP/impostor.key" --wait-ms 3000 >/dev/null 2>&1 & p2=$!
for p in $p1 $p2; do reap $p 20; done
wait_count "$TMP/bind.pcapng" '^host=listed ' 200
stop_collector
expect_eq "allow-list: records from the listed exporter" 200 "$(count "$TMP/bind.pcapng" '^host=listed ')"
expect_eq "allow-list: records from the unlisted exporter" 0 "$(count "$TMP/bind.pcapng" '^host=unlisted ')"
grep -q ", [1-9][0-9]* connections refused by key" "$TMP/bind.err" || fail "summary lacks the refusal: $(cat "$TMP/bind.err")"
ok "summary: $(cat "$TMP/bind.err")"

# ---- a collector that stalls: the exporter drops and counts; the collector counts the gap ----
total=100000
$PEER send "$(ep 0)" flood $total --hwm 4 --delay-ms 1000 --hold-ms 4000 >"$TMP/flood.out" & p1=$!
start_collector slow --remote-endpoints "$(ep 0)"
sleep 0.5
kill -STOP $col
sleep 2
kill -CONT $col
reap $p1 30
sent=$(field "$(cat "$TMP/flood.out")" sent)
dropped=$(field "$(cat "$TMP/flood.out")" drops)
[ "${dropped:-0}" -gt 0 ] || fail "no drops while the collector stalled: $(cat "$TMP/flood.out")"
expect_eq "exporter: sent + dropped" $total $((sent + dropped))
wait_count "$TMP/slow.pcapng" '^host=flood .*type=(TCP|UDP)' "$sent"
wait_for 5 "the collector to count the $dropped records dropped" at_least "$dropped" drops "$TMP/slow.pcapng" flood
stop_collector
got=$(count "$TMP/slow.pcapng" '^host=flood .*type=(TCP|UDP)')
expect_eq "collector: records received" "$sent" "$got"
expect_eq "collector: received + reported dropped (nothing lost silently)" $total $((got + $(drops "$TMP/slow.pcapng" flood)))
# The loss is said at the end on this side too: the exporter's drops are gaps in its sequence.
grep -q "^ebpfcap: remote: 0 malformed messages dropped, $dropped records lost in transit, .*; $got records written$" "$TMP/slow.err" ||
	fail "collector slow: $(cat "$TMP/slow.err")"
ok "collector slow: $(cat "$TMP/slow.err")"

# ---- stopping: the fifo's reader goes away, signals, the parent dies ----
mkfifo "$TMP/fifo"
head -c 200 "$TMP/fifo" >/dev/null &
$EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/fifo" --remote-endpoints "$(ep 1)" 2>"$TMP/fifo.err" &
col=$!
at_exit "kill -9 $col"
$PEER send "$(ep 1)" reader 2000 --rate 2000 >/dev/null 2>&1 &
at_exit "kill -9 $!"
reap $col 10
expect_eq "reader gone: exit status" 0 "$status"
for sig in INT HUP; do
	start_collector "sig$sig" --remote-endpoints "$(ep 2)"
	sleep 0.3
	kill -$sig $col
	reap $col 5
	expect_eq "SIG$sig: exit status" 0 "$status"
	expect_quiet "sig$sig"
done
sh -c "$EBPFCAP --extcap-interface ebpfremote --capture --fifo $TMP/orphan.pcapng --remote-endpoints $(ep 2) & echo \$! >$TMP/orphan.pid; sleep 1; kill -9 \$\$" 2>/dev/null
orphan=$(cat "$TMP/orphan.pid")
at_exit "kill -9 $orphan"
wait_for 5 "the collector to end with its parent" ended "$orphan"
ok "parent death: collector ended"

expect_error "no endpoint" "names no endpoint" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-endpoints " , "
expect_error "bad endpoint" "cannot connect to nonsense" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-endpoints nonsense
expect_error "bad server key" "neither a 40-character Z85 public key" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-endpoints "$(ep 1)" --server-key short
expect_error "bind with a key but no allow-list" "needs --allowed-keys" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-bind --remote-endpoints "$(ep 1)" --secret-key "$TMP/collector.key"
expect_error "allow-list when connecting" "is for --remote-bind" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-endpoints "$(ep 1)" --allowed-keys "$TMP/allowed"
chmod 644 "$TMP/collector.key"
expect_error "secret key readable by others" "can be read by others" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-bind --remote-endpoints "$(ep 1)" --secret-key "$TMP/collector.key" --allowed-keys "$TMP/allowed"
$PEER send "$(ep 1)" holder 1 --wait-ms 3000 >/dev/null 2>&1 & p1=$!
sleep 0.3
expect_error "address in use" "cannot bind $(ep 1)" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-bind --remote-endpoints "$(ep 1)"
reap $p1 10
expect_error "capture filter" "capture filters do not apply" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-endpoints "$(ep 1)" --extcap-capture-filter "tcp"
expect_error "cgroup filter" "--cgroup does not apply" $EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/bad.pcapng" --remote-endpoints "$(ep 1)" --cgroup /docker
