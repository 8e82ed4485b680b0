# ebpfcap --export: the kernel capture published over ZMQ into a collector
# (the ebpfremote interface). Records carry this host's name and machine id;
# SIGTERM ends the exporter cleanly with nothing left in the kernel; CURVE
# works with the exporter binding (server) and connecting (client, to a
# collector that binds). Traffic only on loopback and inside a namespace
# this test makes.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
[ -x "$PEER" ] || fail "$PEER is missing (make all)"
$EBPFCAP --help | grep -q -- '--export' || fail "ebpfcap has no --export (the exporter is not wired into capture.c/options.c yet?)"

base=$((20000 + $$ % 1500 * 8 + 4))
ep="tcp://127.0.0.1:$base"
host=$(hostname)
machine=$(head -c 32 /etc/machine-id 2>/dev/null)

# The BPF programs a process holds, from its descriptors: other tests may
# run captures of their own meanwhile, so this one checks only its exporter's.
progs_of() { cat /proc/$1/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u; }

# Until the exporter's programs are attached: some, and no more coming (at most 10 s).
wait_exporter_attached() {
	last=0 same=0
	wait_for -p $exp 10 "the exporter's programs to be attached" exporter_settled
	exp_progs=$(progs_of $exp)
}
# exporter_settled: it holds programs, as many at the last 3 checks.
exporter_settled() {
	n=$(progs_of $exp | wc -l)
	[ "$n" -gt 0 ] && [ "$n" -eq "$last" ] && same=$((same + 1)) || same=0
	last=$n
	[ $same -ge 3 ]
}

expect_released() {
	for id in $exp_progs; do
		bpftool prog show id "$id" >/dev/null 2>&1 && fail "BPF program $id of the exporter left behind"
	done
	ok "the exporter's $(echo $exp_progs | wc -w) BPF programs are gone"
}

# start_exporter NAME ARGS...: stderr in $TMP/NAME.err; sets $exp
start_exporter() {
	name=$1; shift
	$EBPFCAP "$@" 2>"$TMP/$name.err" &
	exp=$!
	at_exit "kill -9 $exp"
	wait_exporter_attached
}

# Until the exporter's log says a collector subscribed (at most 10 s).
wait_subscribed() {
	wait_for -p $exp -l "$TMP/$1.err" 10 "$1: a collector to subscribe" grep -q -e "subscribed" -e "connected to" "$TMP/$1.err"
}

count() { $PEER dump "$1" 2>/dev/null | grep -cE "$2" || true; }

wait_count() { wait_for 10 "$1: $3 records matching '$2'" at_least "$3" count "$1" "$2"; }

stop_both() {
	kill -TERM $exp
	reap $exp 10
	expect_eq "exporter $1: exit status after SIGTERM" 0 "$status"
	expect_released
	kill -TERM $col
	reap $col 5
	expect_eq "collector $1: exit status" 0 "$status"
	[ -s "$TMP/col-$1.err" ] && fail "collector $1: stderr: $(cat "$TMP/col-$1.err")"
	grep -v -e '^ebpfcap: exporting the events of ' -e '^ebpfcap: export: a collector .*subscribed' \
		-e '^ebpfcap: export: a collector .*left' -e '^ebpfcap: export: connected to ' \
		-e '^ebpfcap: export: [0-9]* records sent while no collector was subscribed: not delivered$' "$TMP/$1.err" && fail "exporter $1: unexpected log lines"
	ok "exporter $1: log: $(tr '\n' '|' <"$TMP/$1.err")"
}

# traffic_seen NAME: 3 connects by the traffic generator reach the collector
traffic_seen() {
	out=$($TRAFFIC tcp 3) || fail "traffic failed"
	pid=$(field "$out" client_pid)
	wait_count "$TMP/col-$1.pcapng" "type=TCP_Connect pid=$pid " 3
	expect_eq "$1: connects from this host" 3 "$(count "$TMP/col-$1.pcapng" "^host=$host machine=${machine:--} type=TCP_Connect pid=$pid ")"
}

# ---- plain: the exporter binds loopback in clear (asked for), the collector connects ----
start_collector col-plain --remote-endpoints "$ep"
start_exporter plain --export="$ep" --insecure
wait_subscribed plain
traffic_seen plain
grep -q "^ebpfcap: exporting the events of $host on $ep$" "$TMP/plain.err" || fail "no start line: $(cat "$TMP/plain.err")"
stop_both plain

# ---- CURVE: the exporter is the server; the collector knows its public key ----
(umask 077; $EBPFCAP --gen-keys >"$TMP/exporter.key"; $EBPFCAP --gen-keys >"$TMP/collector.key")
pub=$(sed -n 's/^public-key=//p' "$TMP/exporter.key")
start_collector col-curve --remote-endpoints "$ep" --server-key "$pub"
start_exporter curve --export="$ep" --secret-key "$TMP/exporter.key"
wait_subscribed curve
traffic_seen curve
stop_both curve

# ---- NAT: the collector binds, the exporter connects; the collector checks its key ----
grep '^public-key=' "$TMP/exporter.key" >"$TMP/allowed"
cpub=$(sed -n 's/^public-key=//p' "$TMP/collector.key")
start_collector col-nat --remote-bind --remote-endpoints "$ep" --secret-key "$TMP/collector.key" --allowed-keys "$TMP/allowed"
start_exporter nat --export="$ep" --export-connect --server-key "$cpub" --secret-key "$TMP/exporter.key"
wait_subscribed nat
traffic_seen nat
stop_both nat

# ---- beyond loopback in clear: allowed when asked for (--insecure), with a warning ----
ns=ebpfzmqx$$
ip netns add $ns || fail "ip netns add"
at_exit "ip netns del $ns"
ip netns exec $ns ip link set lo up
ip netns exec $ns $EBPFCAP --export="tcp://*:$base" --insecure 2>"$TMP/wild.err" &
exp=$!
at_exit "kill -9 $exp"
wait_exporter_attached
kill -TERM $exp
reap $exp 10
expect_eq "wildcard exporter: exit status" 0 "$status"
grep -q "warning: publishing unencrypted on tcp://\*:$base" "$TMP/wild.err" || fail "no warning: $(cat "$TMP/wild.err")"
ok "wildcard bind warns: $(grep warning "$TMP/wild.err")"
expect_released

expect_error "tcp without CURVE or --insecure" "without CURVE would let every local user read" $EBPFCAP --export="$ep"
expect_error "export and a file" "drop --fifo/-w" $EBPFCAP --export="$ep" -w "$TMP/x.pcapng"
expect_error "connect without an address" "--export-connect needs --export" $EBPFCAP --export-connect
expect_error "bad endpoint" "cannot bind nonsense" $EBPFCAP --export=nonsense
expect_error "server key when binding" "--server-key is for connecting" $EBPFCAP --export="$ep" --server-key "$pub"
expect_error "missing key file" "cannot read key file" $EBPFCAP --export="$ep" --secret-key "$TMP/none.key"
