# One filter, one meaning: the same filter options on a local capture and
# on a collector (the ebpfremote interface) fed by an unfiltered exporter
# (ebpfcap --export, a process of its own) give the same events of the same
# traffic: the kernel applies them locally, extcap/filter.c's matcher to the
# exporter's records. The one documented difference: remote --pid reaches
# the process and its direct children only (a record names its parent, no
# further ancestor), so a grandchild's events are local only.
# Traffic only on loopback; the exporter publishes on an ipc:// socket.
. test/helpers/lib.sh

# events FILE PORTS: the events of the test's own connections (to one of PORTS,
# comma-separated), one sorted line each; no times: each capture stamps its own.
events() {
	tshark_fields "$1" -Y "ebpf.srcport in {$2} || ebpf.dstport in {$2}" -e ebpf.type -e ebpf.pid \
		-e ebpf.ppid -e ebpf.comm -e ebpf.uid -e ebpf.family -e ebpf.srcport -e ebpf.dstport | sort
}

# How many the collector wrote so far (its file may end in a block half written).
events_so_far() { tshark -r "$1" -Y "ebpf.srcport in {$2} || ebpf.dstport in {$2}" 2>/dev/null | wc -l; }

# start_both NAME FILTERS...: an exporter ($exp) of every event, a collector ($col)
# subscribed to it and a local capture ($cap), both with FILTERS; traffic may start.
start_both() {
	round=$1; shift
	ep="ipc://$TMP/$round.ipc"
	$EBPFCAP --export="$ep" 2>"$TMP/$round-exporter.err" &
	exp=$!
	at_exit "kill -9 $exp"
	$EBPFCAP -w "$TMP/$round-local.pcapng" "$@" 2>"$TMP/$round-local.err" &
	cap=$!
	at_exit "kill -9 $cap"
	exp_objs=$(attached_objects $exp) || exit 1
	cap_objs=$(attached_objects $cap) || exit 1
	start_collector "$round-remote" --remote-endpoints "$ep" "$@"
	wait_for -p $col -l "$TMP/$round-exporter.err" 10 "$round: the collector to subscribe" \
		grep -q "subscribed" "$TMP/$round-exporter.err"
}

# stop_one PID WHAT OBJECTS: SIGTERM, exit status 0, its BPF objects gone.
stop_one() {
	kill -TERM $1
	reap $1 10
	expect_eq "$2: exit status" 0 "$status"
	[ -z "$3" ] || expect_released "$2" "$3"
}

# compare NAME PORTS [AWK]: stops the local capture, then the exporter and the
# collector once it has as many events of PORTS as the local capture's that AWK
# selects (default all; at most 10 s), and expects exactly those.
compare() {
	sleep 0.3 # the last close's events
	stop_one $cap "$1: local capture" "$cap_objs"
	events "$TMP/$1-local.pcapng" "$2" >"$TMP/$1-local.ev"
	[ -s "$TMP/$1-local.ev" ] || fail "$1: the local capture has no event of port $2"
	awk "${3:-1}" "$TMP/$1-local.ev" >"$TMP/$1-expected.ev"
	wait_for -p $col 10 "$1: the collector's events of port $2" \
		at_least "$(wc -l <"$TMP/$1-expected.ev")" events_so_far "$TMP/$1-remote.pcapng" "$2"
	stop_one $exp "$1: exporter" "$exp_objs"
	stop_one $col "$1: collector" ""
	events "$TMP/$1-remote.pcapng" "$2" >"$TMP/$1-remote.ev"
	diff "$TMP/$1-expected.ev" "$TMP/$1-remote.ev" >"$TMP/$1.diff" ||
		fail "$1: local (<) and remote (>) differ: $(cat "$TMP/$1.diff")"
	ok "$1: $(wc -l <"$TMP/$1-remote.ev") events alike locally and through the exporter"
}

# ---- --pid of a process whose connections are its own and its direct children's ----
gate_traffic
start_both pid --pid $gen
open_gate
compare pid $port

# ---- --pid of a shell: its children's connection (a sink and a bulk sender) in both,
# its grandchildren's (the tcp generator's client and server) locally only ----
Q=$((27000 + $$ % 1000))
rm -f "$TMP/gate"; mkfifo "$TMP/gate"
sh -c "read go <'$TMP/gate'; $TRAFFIC sink 127.0.0.1 $Q >'$TMP/sink.out' & i=0
	until grep -q listening '$TMP/sink.out' || [ \$i -gt 100 ]; do i=\$((i + 1)); sleep 0.05; done
	$TRAFFIC bulk 127.0.0.1 $Q 1 >/dev/null; wait; $TRAFFIC tcp 2 >'$TMP/gen.out'; true" &
gen=$!
at_exit "kill -9 $gen"
start_both descendants --pid $gen
echo go >"$TMP/gate"
wait $gen || fail "traffic failed"
port=$(field "$(cat "$TMP/gen.out")" port)
compare descendants "$port, $Q" "\$2 == $gen || \$3 == $gen"
grand=$(awk -v p=$gen '$2 != p && $3 != p' "$TMP/descendants-local.ev" | wc -l)
[ "$grand" -gt 0 ] || fail "descendants: the local capture has no event of the shell's grandchildren"
ok "descendants: $grand events of the shell's grandchildren locally only, as documented"

# ---- --comm and --event-types ----
start_both comm --comm tcp_client --event-types TCP_Connect,TCP_Close
traffic tcp 3
compare comm $port

# ---- --port, --family and --uid together: the client runs as uid 4242 ----
P=$((26000 + $$ % 1000))
start_both flow --port $P --family 4 --uid 4242
TRAFFIC_PORT=$P traffic tcp 2 4 4242
compare flow $port
