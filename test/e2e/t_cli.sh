# ebpfcap as a command-line tool: live lines (text and JSON) checked line by
# line against known loopback traffic, -w read back by tshark and by -r,
# -- COMMAND capturing that command alone, --uid in and out, packets of an
# interface with a filter expression, -i by pod or container name (docker
# containers with the kubelet's labels), -i tcp://..., the man page rendering, and bad
# input.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
EXE=$(readlink -f $TRAFFIC) # a relative exec is resolved, even once the process is gone


# live OUT ARGS...: a capture printing lines to OUT, in the background ($cap).
live() {
	out=$1; shift
	$EBPFCAP "$@" >"$out" 2>"$out.err" &
	cap=$!
	at_exit "kill $cap"
	wait_attached $cap
}
stop() { sleep 0.3; kill -INT $cap; reap $cap; expect_eq "exit status after SIGINT" 0 "$status"; expect_no_programs; }


# start_sink PORT: a server that accepts one connection on 127.0.0.1:PORT ($sink), once it listens.
start_sink() {
	$TRAFFIC sink 127.0.0.1 $1 >"$TMP/sink$1.out" &
	sink=$!
	at_exit "kill $sink"
	wait_for -p $sink 5 "the sink on port $1 to listen" grep -q listening "$TMP/sink$1.out"
}

# count FILE REGEX: lines matching (grep -E)
count() { grep -cE "$2" "$1" || true; }

# ---- bad input: one line, non-zero exit, before anything is loaded ----
expect_error "unknown option" "unrecognized option '--frobnicate'" $EBPFCAP --frobnicate
expect_error "bad --uid" "--uid wants a user name or a numeric uid, not 'nosuchuser_x'" $EBPFCAP --uid nosuchuser_x
expect_error "negative --uid" "--uid wants a user name or a numeric uid, not '-1'" $EBPFCAP --uid=-1
expect_error "-- without a command" "-- needs a command to run" $EBPFCAP -w "$TMP/f" --
expect_error "--pid with -- COMMAND" "--pid and -- COMMAND both choose" $EBPFCAP --pid 1 -- true
expect_error "filter expression on eBPF Events" "capture filters do not apply to eBPF Events" $EBPFCAP tcp port 80
expect_error "filter expression that does not compile" "can't parse filter expression" $EBPFCAP -i lo tcp port
expect_error "unknown interface" "unknown interface 'nosuch0': no such interface, pod or container" $EBPFCAP -i nosuch0
expect_error "--json with -w" "--json prints lines" $EBPFCAP --json -w "$TMP/f"
expect_error "command that does not exist" "cannot run '$TMP/nosuch': No such file or directory" $EBPFCAP -- "$TMP/nosuch" arg

# ---- the man page renders without a warning (unit_options holds it to the option table) ----
groff -man -Tutf8 -ww docs/ebpfcap.1 >/dev/null 2>"$TMP/man.err" || fail "groff failed"
[ -s "$TMP/man.err" ] && fail "groff warns about docs/ebpfcap.1: $(cat "$TMP/man.err")"
ok "docs/ebpfcap.1 renders"

# ---- live text lines, -v: known TCP traffic, IPv4, a client running as nobody ----
live "$TMP/text.txt" -v --pid $$ --event-types TCP_Connect,TCP_Accept,TCP_Close
traffic tcp 2 4 65534
stop
f="$TMP/text.txt"
lo='127\.0\.0\.1'
expect_eq "text: connects of tcp_client($client) as nobody, to port $port" 2 \
	"$(count "$f" "^[0-9:.]{15} TCP_Connect +tcp_client\($client\) +nobody +- +$lo:[0-9]+ +-> $lo:$port +latency=[0-9.]+(us|ms)$")"
expect_eq "text: accepts of tcp_server($server) as root, from the client" 2 \
	"$(count "$f" "^[0-9:.]{15} TCP_Accept +tcp_server\($server\) +root +- +$lo:$port +<- $lo:[0-9]+ +srtt=")"
expect_eq "text: client closes, 5 bytes out, 6 in, FIN" 2 \
	"$(count "$f" "^[0-9:.]{15} TCP_Close +tcp_client\($client\) +nobody +- +$lo:[0-9]+ +-> $lo:$port +duration=[0-9.]+(us|ms) sent=5 received=6 retrans=0 srtt=[0-9.]+(us|ms)$")"
expect_eq "text: server closes, 6 bytes out, 5 in" 2 \
	"$(count "$f" "^[0-9:.]{15} TCP_Close +tcp_server\($server\) +root +- +$lo:$port +-> $lo:[0-9]+ +duration=.* sent=6 received=5 ")"
expect_eq "text: nothing but these 8 events (and their -v lines)" 16 "$(wc -l <"$f")"
expect_eq "-v: each connect's second line names exe, parent and uid" 2 \
	"$(grep -A1 "TCP_Connect" "$f" | count /dev/stdin "^    exe=$EXE ppid=$tpid parent=traffic tid=$client uid=65534 gid=65534 .* state=SYN_SENT")"

# ---- live JSON: IPv6, the same traffic; -n leaves out user names ----
live "$TMP/json.txt" --json -n --pid $$ --event-types TCP_Connect,TCP_Accept,TCP_Close
traffic tcp 2 6 65534
stop
python3 - "$TMP/json.txt" "$client" "$server" "$port" "$EXE" >"$TMP/json.check" <<'EOF' || { cat "$TMP/json.check"; fail "JSON lines"; }
import json, sys
path, client, server, port, exe = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
events = [json.loads(line) for line in open(path)]          # every line is one object
seen = {}
for e in events:
    assert "user" not in e, "-n: no user names"
    assert e["family"] == 6 and e["src"] == "::1" and e["dst"] == "::1", e
    if e["type"] == "TCP_Connect":
        assert (e["pid"], e["comm"], e["uid"], e["exe"], e["dstport"]) == (client, "tcp_client", 65534, exe, port), e
        assert e["latency_us"] > 0 and e["proto"] == "TCP" and e["flags"]["reset"] is False, e
    elif e["type"] == "TCP_Accept":
        assert (e["pid"], e["comm"], e["uid"], e["srcport"]) == (server, "tcp_server", 0, port), e
    elif e["type"] == "TCP_Close" and e["pid"] == client:
        assert (e["bytes_sent"], e["bytes_received"], e["retransmits"], e["dstport"]) == (5, 6, 0, port), e
    elif e["type"] == "TCP_Close":
        assert (e["pid"], e["bytes_sent"], e["bytes_received"], e["srcport"]) == (server, 6, 5, port), e
    seen[(e["type"], e["pid"])] = seen.get((e["type"], e["pid"]), 0) + 1
want = {("TCP_Connect", client): 2, ("TCP_Accept", server): 2, ("TCP_Close", client): 2, ("TCP_Close", server): 2}
assert seen == want, seen
print(len(events), "JSON events, all as expected")
EOF
ok "$(cat "$TMP/json.check")"

# ---- -w FILE: tshark with the plugin, and -r (text, -n, --json) show the same ----
live "$TMP/null.txt" -w "$TMP/w.pcapng" --pid $$ --event-types TCP_Connect,TCP_Accept,TCP_Close
traffic tcp 3 4 65534
stop
tshark_fields "$TMP/w.pcapng" -Y "ebpf.dstport == $port || ebpf.srcport == $port" -e ebpf.type -e ebpf.pid -e ebpf.uid >"$TMP/w.txt"
expect_eq "tshark: connects by the client, uid 65534" 3 "$(grep -cx "1 $client 65534" "$TMP/w.txt")"
expect_eq "tshark: accepts by the server, uid 0" 3 "$(grep -cx "3 $server 0" "$TMP/w.txt")"
$EBPFCAP -r "$TMP/w.pcapng" >"$TMP/r.txt" || fail "-r failed"
expect_eq "-r: connects, as live" 3 "$(count "$TMP/r.txt" "TCP_Connect +tcp_client\($client\) +nobody +- +$lo:[0-9]+ +-> $lo:$port +latency=")"
$EBPFCAP -r "$TMP/w.pcapng" -n >"$TMP/rn.txt" || fail "-r -n failed"
expect_eq "-r -n: the uid instead of the name" 3 "$(count "$TMP/rn.txt" "TCP_Close +tcp_client\($client\) +65534 +- +$lo:[0-9]+ +-> $lo:$port +duration=.* sent=5 received=6 ")"
$EBPFCAP -r "$TMP/w.pcapng" --json | python3 -c '
import json, sys
n = [json.loads(l) for l in sys.stdin]
print(sum(1 for e in n if e["type"] == "TCP_Accept" and e["pid"] == int(sys.argv[1]) and e["user"] == "root"))' "$server" >"$TMP/rj.txt" ||
	fail "-r --json: lines do not parse"
expect_eq "-r --json: accepts by the server, as root" 3 "$(cat "$TMP/rj.txt")"
expect_eq "-r -c 2: two lines" 2 "$($EBPFCAP -r "$TMP/w.pcapng" -c 2 | wc -l)"
expect_error "-r with a filter it would ignore" "-r prints a whole file" $EBPFCAP -r "$TMP/w.pcapng" --pid 1

# ---- -- COMMAND: a short client, a server started apart, other traffic meanwhile ----
sport=$((20000 + $$ % 5000))
start_sink $sport
# Other traffic, from processes that are not the command's, until the capture ends (at most 300 rounds).
( i=0; while [ $i -lt 300 ] && [ ! -e "$TMP/stop" ]; do $TRAFFIC tcp 5 4 >>"$TMP/noise.out" || exit 1; i=$((i + 1)); done ) &
noise=$!
at_exit "kill $noise"
$EBPFCAP -w "$TMP/cmd.pcapng" -- $TRAFFIC bulk 127.0.0.1 $sport 4 >"$TMP/cmd.out" 2>"$TMP/cmd.err"
expect_eq "-- COMMAND: ebpfcap's exit status" 0 $?
touch "$TMP/stop"
[ -s "$TMP/cmd.err" ] && fail "-- COMMAND: stderr not empty: $(cat "$TMP/cmd.err")"
wait $noise || fail "the other traffic failed"
[ "$(wc -l <"$TMP/noise.out")" -ge 2 ] || fail "the other traffic did not run beside the command"
bulk=$(field "$(cat "$TMP/cmd.out")" client_pid)
tshark_fields "$TMP/cmd.pcapng" -e ebpf.type -e ebpf.pid -e ebpf.dstport -e ebpf.bytes_sent -e ebpf.exe >"$TMP/cmd.txt"
expect_eq "-- COMMAND: its connect, from its first instruction on" 1 "$(grep -cx "1 $bulk $sport 0 $EXE" "$TMP/cmd.txt")"
expect_eq "-- COMMAND: its close, 4 KiB sent" 1 "$(grep -cx "4 $bulk $sport 4096 $EXE" "$TMP/cmd.txt")"
expect_eq "-- COMMAND: nothing else (not the server's accept, not the other traffic)" 2 "$(wc -l <"$TMP/cmd.txt")"
reap $sink

# Children are followed; the command's status is said, ebpfcap's is 0; the command holds no BPF descriptor.
$EBPFCAP -n -- sh -c "ls -l /proc/\$\$/fd >$TMP/fds; $TRAFFIC tcp 1 4; exit 3" >"$TMP/kids.txt" 2>"$TMP/kids.err"
expect_eq "-- COMMAND exiting 3: ebpfcap's exit status" 0 $?
expect_eq "-- COMMAND exiting 3: said on stderr" "ebpfcap: sh exited with status 3" "$(cat "$TMP/kids.err")"
line=$(grep client_pid "$TMP/kids.txt")
client=$(field "$line" client_pid); server=$(field "$line" server_pid); port=$(field "$line" port)
expect_eq "-- COMMAND: its grandchildren's connect" 1 "$(count "$TMP/kids.txt" "TCP_Connect +tcp_client\($client\) +0 +- +$lo:[0-9]+ +-> $lo:$port ")"
expect_eq "-- COMMAND: its grandchildren's accept" 1 "$(count "$TMP/kids.txt" "TCP_Accept +tcp_server\($server\) +0 ")"
expect_eq "-- COMMAND: its grandchildren's listen" 1 "$(count "$TMP/kids.txt" "TCP_Listen +traffic\([0-9]+\) +0 +- +$lo:$port +<- \*$")"
expect_eq "-- COMMAND: events of its family only" 0 "$(grep -E '^[0-9:.]{15} ' "$TMP/kids.txt" |
	grep -cvE "(tcp_client\($client\)|tcp_server\($server\)|TCP_Listen +traffic\()" || true)"
expect_eq "-- COMMAND: BPF descriptors in the command" 0 "$(grep -c 'anon_inode:bpf' "$TMP/fds" || true)"

# -w - with a command: pcapng on standard output, the command's own output moved to stderr.
$EBPFCAP -w - -- $TRAFFIC tcp 1 6 2>"$TMP/pipe.err" | $EBPFCAP -r - -n >"$TMP/pipe.txt" || fail "-w - | -r - failed"
client=$(field "$(cat "$TMP/pipe.err")" client_pid); port=$(field "$(cat "$TMP/pipe.err")" port)
[ -n "$client" ] || fail "the command's output did not reach stderr: $(cat "$TMP/pipe.err")"
expect_eq "-w - -- COMMAND | -r -: its connect" 1 "$(count "$TMP/pipe.txt" "TCP_Connect +tcp_client\($client\) +0 +- +\[::1\]:[0-9]+ +-> \[::1\]:$port ")"

# ---- --uid: in the kernel, by number and by name ----
live "$TMP/uid.txt" -n --uid 65534 --event-types TCP_Connect,TCP_Accept
traffic tcp 2 4 65534
stop
expect_eq "--uid 65534: the client's connects are in" 2 "$(count "$TMP/uid.txt" "TCP_Connect +tcp_client\($client\) +65534 ")"
expect_eq "--uid 65534: the server's accepts (root) are out" 0 "$(count "$TMP/uid.txt" "tcp_server\($server\)")"
expect_eq "--uid 65534: no line of another uid" 0 "$(grep -cvE '^[0-9:.]{15} [A-Za-z_]+ +[^ ]+ +65534 ' "$TMP/uid.txt" || true)"
live "$TMP/root.txt" --uid root --pid $$ --event-types TCP_Connect,TCP_Accept
traffic tcp 2 4 65534
stop
expect_eq "--uid root: the client's connects (65534) are out" 0 "$(count "$TMP/root.txt" "tcp_client\($client\)")"
expect_eq "--uid root: the server's accepts are in" 2 "$(count "$TMP/root.txt" "TCP_Accept +tcp_server\($server\) +root ")"

# ---- -i lo with a filter expression: only that port's packets, named, beside the events ----
live "$TMP/lo.txt" -i lo --pid $$ --event-types TCP_Connect tcp port $((sport + 1))
start_sink $((sport + 1))
$TRAFFIC bulk 127.0.0.1 $((sport + 1)) 1 >"$TMP/bulk.out" || fail "bulk failed"
bulk=$(field "$(cat "$TMP/bulk.out")" client_pid)
traffic tcp 1 4 # another port: its packets are filtered out, its connect is not
reap $sink
stop
p=$((sport + 1))
expect_eq "-i lo: the SYN to port $p, named after its sender" 1 \
	"$(count "$TMP/lo.txt" "^[0-9:.]{15} Packet +- +- +- +$lo:[0-9]+ +-> $lo:$p +TCP S len=[0-9]+ \(src tcp_client\($bulk\) uid=0\)$")"
expect_eq "-i lo: packets of other ports" 0 "$(grep ' Packet ' "$TMP/lo.txt" | grep -cv ":$p " || true)"
expect_eq "-i lo: the connects of both" 2 "$(count "$TMP/lo.txt" "TCP_Connect +tcp_client")"

# ---- -i by a pod's or a container's name: their veth (the filter's error names the interface) ----
. test/helpers/docker.sh
POD=ebpfcap-cli-pod$$ NAMED=ebpfcap-cli-named$$
containers_up $POD $NAMED
"$DOCKER" run -d --name $POD --label io.kubernetes.pod.name=web-cli$$ --label io.kubernetes.pod.namespace=shop \
	$IMAGE sleep 60 >/dev/null || fail "docker run"
"$DOCKER" run -d --name $NAMED $IMAGE sleep 60 >/dev/null || fail "docker run"
# veth_of DISPLAY: the kernel name of the interface --extcap-interfaces shows as "DISPLAY (vethX)"
veth_of() { $EBPFCAP --extcap-interfaces | sed -n "s/^interface {value=ebpf_\([^}]*\)}{display=$1 (.*/\1/p"; }
pod_veth=$(veth_of "Pod web-cli$$, Namespace shop") named_veth=$(veth_of "Container $NAMED")
[ -n "$pod_veth" ] && [ -n "$named_veth" ] || fail "the containers' veths are not listed"
for who in web-cli$$:$pod_veth web-cli$$.shop:$pod_veth $NAMED:$named_veth; do
	expect_error "-i ${who%:*}: its veth" "ebpfcap: ${who#*:}: can't parse filter expression" $EBPFCAP -i ${who%:*} "tcp port"
done
expect_error "-i a pod of another namespace" "unknown interface 'web-cli$$.other'" $EBPFCAP -i web-cli$$.other

# ---- -i tcp://HOST:PORT: the remote interface, lines from an exporter ----
zport=$((21000 + $$ % 5000))
$PEER send tcp://127.0.0.1:$zport peerhost 6 --uid 77 >/dev/null &
peer=$!
at_exit "kill $peer"
$EBPFCAP -i tcp://127.0.0.1:$zport --json -c 4 --uid 77 >"$TMP/remote.txt" 2>"$TMP/remote.err" || fail "remote: $(cat "$TMP/remote.err")"
reap $peer
expect_eq "-i tcp://...: 4 JSON records of peerhost, uid 77" 4 \
	"$(python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["host"] == "peerhost" and json.loads(l)["uid"] == 77))' <"$TMP/remote.txt")"
