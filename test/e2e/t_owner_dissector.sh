# Packets and events together: packets captured on lo by dumpcap and events
# captured by ebpfcap at the same time, joined by mergecap, read with
# tshark -2. Every TCP and UDP packet of our flows carries the owners of
# both its ends (ebpf.owner subtrees: the client's and the server's process),
# a reused 4-tuple included, and a connection never accept()ed (its listener);
# a flow without events carries none.
. test/helpers/lib.sh

# Eight ports below the ephemeral range, none in use now; the listeners bind them.
for try in $(seq 20); do
	B=$((20000 + ($$ * 7 + try * 131) % 1200 * 10))
	[ -z "$(ss -Htuan "( sport >= :$B and sport <= :$((B + 7)) ) or ( dport >= :$B and dport <= :$((B + 7)) )")" ] && break
	[ "$try" = 20 ] && fail "no eight free ports found"
done
P4=$B P6=$((B + 1)) PUDP=$((B + 2)) PREUSE=$((B + 3)) CREUSE=$((B + 4)) PNONE=$((B + 5)) PQUEUED=$((B + 6)) PPROBE=$((B + 7))
SEPARATE=25 REUSED=30

dumpcap -q -i lo -f "portrange $B-$PPROBE" -w "$TMP/pk.pcapng" 2>"$TMP/pk.err" &
pk=$!
at_exit "kill $pk"
start_ebpfcap "$TMP/ev.err" -i ebpfevents -w "$TMP/ev.pcapng"
ev=$cap

# Both are ready once a probe connection is in both files: dumpcap says
# "Capturing on" before it opens the interface, and ebpfcap writes records
# only once every program is attached. (Both flush within half a second.)
seen() { [ "$(tshark -r "$1" -Y "$2" 2>/dev/null | wc -l)" -gt 0 ]; }
for i in $(seq 30); do
	TRAFFIC_PORT=$PPROBE $TRAFFIC tcp 1 >/dev/null || fail "probe traffic"
	sleep 0.3
	seen "$TMP/pk.pcapng" "tcp.port == $PPROBE" &&
		seen "$TMP/ev.pcapng" "ebpf.type == \"TCP_Accept\" && ebpf.srcport == $PPROBE" && break
	[ "$i" = 30 ] && fail "dumpcap or ebpfcap not capturing after 30 probes: $(cat "$TMP/pk.err" "$TMP/ev.err")"
done

# pairs.txt: "port client_pid server_pid streams" per run of the generator.
run() { # PORT STREAMS ARGS...
	port=$1 streams=$2; shift 2
	line=$(TRAFFIC_PORT=$port $TRAFFIC "$@") || fail "traffic $*"
	echo "$port $(field "$line" client_pid) $(field "$line" server_pid) $streams" >>"$TMP/pairs.txt"
}
run $P4 3 tcp 3
for i in $(seq $SEPARATE); do run $P4 1 tcp 1; done # one client process and one server process each
run $P6 2 tcp 2 6
run $P4 1 tcp 1 m # IPv4 packets, records of AF_INET6 sockets (::ffff:127.0.0.1)
run $PUDP 0 udp sendto 3
reuse=$(TRAFFIC_PORT=$PREUSE $TRAFFIC reuse $REUSED $CREUSE) || fail "traffic reuse"
queued=$(TRAFFIC_PORT=$PQUEUED $TRAFFIC unaccepted) || fail "traffic unaccepted"
sleep 0.5
kill -TERM $ev; wait $ev
expect_no_programs
# A flow after the event capture: its packets are captured, no record names it.
TRAFFIC_PORT=$PNONE $TRAFFIC tcp 1 >/dev/null || fail "traffic after the event capture"
wait_for -p $pk -l "$TMP/pk.err" 6 "dumpcap to write the flow on port $PNONE" seen "$TMP/pk.pcapng" "tcp.port == $PNONE"
kill -TERM $pk; wait $pk # it drops what it has not read yet: hence the wait above
mergecap -w "$TMP/m.pcapng" "$TMP/ev.pcapng" "$TMP/pk.pcapng" || fail "mergecap"

fields() { # FILE FILTER OUT: one line per packet: frame|stream|sport|dport|syn|ack|roles|pids|events
	tshark -2 -r "$1" -Y "$2" -T fields -E separator='|' -e frame.number -e tcp.stream \
		-e tcp.srcport -e tcp.dstport -e tcp.flags.syn -e tcp.flags.ack \
		-e ebpf.owner.role -e ebpf.pid -e ebpf.owner.event >"$3" 2>"$TMP/tshark.err" ||
		fail "tshark -2: $(cat "$TMP/tshark.err")"
}
count() { # FILTER: packets of the merged file it matches
	tshark -2 -r "$TMP/m.pcapng" -Y "$1" 2>/dev/null | wc -l
}

# 1. Separate runs (IPv4, IPv6, IPv4 on dual-stack sockets): each packet has the client and the
#    server of one run, source first; each stream one pair; each run its streams.
fields "$TMP/m.pcapng" "tcp.port in {$P4, $P6}" "$TMP/tcp.txt"
awk -F'|' -v pairs="$TMP/pairs.txt" -v p4=$P4 -v p6=$P6 '
	BEGIN { while ((getline l < pairs) > 0) { split(l, f, " "); if (f[4] > 0) { want[f[2] "," f[3]] = f[4]; port[f[2] "," f[3]] = f[1]; runs++ } } }
	{
		from_server = $3 == p4 || $3 == p6
		split($8, p, ",")
		pair = from_server ? p[2] "," p[1] : p[1] "," p[2]
		if ($7 != "source,destination" || !(pair in want)) { print "frame " $1 ": owners " $7 " " $8 " are not a client and its server"; bad++; next }
		if (($3 == port[pair] || $4 == port[pair]) == 0) { print "frame " $1 ": pair " pair " of another port"; bad++ }
		if (($2 in of) && of[$2] != pair) { print "stream " $2 ": " of[$2] " and " pair; bad++ }
		of[$2] = pair; packets++
		if ($5 ~ /^(1|True)$/ && $6 ~ /^(0|False)$/) syns[pair]++ # tshark 4.6 prints True/False
	}
	END {
		for (pair in want) if (syns[pair] != want[pair]) { print "pair " pair ": " syns[pair] + 0 " SYNs owned, " want[pair] " streams"; bad++ }
		printf "%d packets, %d runs\n", packets, runs
		exit bad > 0 || packets == 0
	}' "$TMP/tcp.txt" >"$TMP/check.txt" || fail "$(head -5 "$TMP/check.txt")"
ok "IPv4, IPv6, dual-stack: $(cat "$TMP/check.txt"): every packet, each SYN included, owned by its client and its server"

# 2. UDP from an unconnected socket (bound to no address): the sender and the receiver.
set -- $(grep "^$PUDP " "$TMP/pairs.txt")
fields "$TMP/m.pcapng" "udp.port == $PUDP" "$TMP/udp.txt"
expect_eq "UDP datagrams owned by 'source,destination' = '$2,$3'" "3" \
	"$(grep -c "|source,destination|$2,$3|" "$TMP/udp.txt")"

# 3. One 4-tuple reused by $REUSED client processes, one after another:
#    the k-th stream belongs to the k-th client, in both directions.
clients=$(field "$reuse" client_pids) server=$(field "$reuse" server_pid)
fields "$TMP/m.pcapng" "tcp.port == $PREUSE" "$TMP/reuse.txt"
awk -F'|' -v clients="$clients" -v server="$server" -v cport="$CREUSE" '
	BEGIN { n = split(clients, c, ",") }
	{
		if (!($2 in rank)) rank[$2] = ++streams
		client = c[rank[$2]]
		want = $3 == cport ? client "," server : server "," client
		if ($8 != want || $7 != "source,destination") { print "frame " $1 " (stream " rank[$2] "): " $8 ", want " want; bad++ }
		packets++
	}
	END { if (streams != n) { print streams " streams, " n " clients"; bad++ }
		printf "%d packets in %d streams", packets, streams; exit bad > 0 }' "$TMP/reuse.txt" >"$TMP/check.txt" ||
	fail "$(head -5 "$TMP/check.txt")"
ok "reused 4-tuple: $(cat "$TMP/check.txt"), each owned by its own client process and the server"

# 4. No event, no owner.
n=$(count "tcp.port == $PNONE")
[ "$n" -gt 0 ] || fail "no packets of the flow made after the event capture"
expect_eq "owners on the $n packets of the flow no record names" 0 "$(count "tcp.port == $PNONE && ebpf.owner")"

# 5. A connection nobody accept()ed (the listener closed with it queued, the client was reset):
#    its server end is the listener's, named by its TCP_Listen record.
fields "$TMP/m.pcapng" "tcp.port == $PQUEUED" "$TMP/queued.txt"
client=$(field "$queued" client_pid) listener=$(field "$queued" server_pid)
n=$(wc -l <"$TMP/queued.txt")
[ "$n" -ge 5 ] || fail "only $n packets of the unaccepted connection"
expect_eq "packets of the unaccepted connection owned by client and listener, of $n" "$n" "$(awk -F'|' \
	-v p=$PQUEUED -v c=$client -v l=$listener '$7 == "source,destination" && $8 == ($4 == p ? c "," l : l "," c)' \
	"$TMP/queued.txt" | wc -l)"

# 6. Filters a user types; records themselves never get an owner.
ours="tcp.port in {$P4, $P6, $PREUSE, $PQUEUED}"
expect_eq "'tcp && ebpf.comm == \"tcp_client\"' = all TCP packets of our flows" "$(count "$ours")" \
	"$(count "tcp && ebpf.comm == \"tcp_client\" && !(tcp.port == $PPROBE)")"
set -- $(head -1 "$TMP/tcp.txt" | cut -d'|' -f8,9 | tr '|,' '  ') # the first SYN: client, server, their records
expect_eq "'tcp && ebpf.pid == $1' = packets of that client's $(grep -c "^$P4 $1 " "$TMP/pairs.txt") run" \
	"$(awk -F'|' -v pid=$1 '{ split($8, p, ","); if (p[1] == pid || p[2] == pid) n++ } END { print n + 0 }' "$TMP/tcp.txt")" \
	"$(count "tcp && ebpf.pid == $1")"
expect_eq "'tcp.flags.syn == 1 && tcp.flags.ack == 0 && ebpf.pid == $1': its 3 connections" 3 \
	"$(count "tcp.flags.syn == 1 && tcp.flags.ack == 0 && ebpf.pid == $1")"
expect_eq "ebpf.owner.event of the first SYN's source: frame $3, the client's TCP_Connect" 1 \
	"$(count "frame.number == $3 && ebpf.type == \"TCP_Connect\" && ebpf.pid == $1")"
expect_eq "ebpf.owner.event of the first SYN's destination: frame $4, the server's TCP_Accept" 1 \
	"$(count "frame.number == $4 && ebpf.type == \"TCP_Accept\" && ebpf.pid == $2")"
expect_eq "records with an owner subtree" 0 "$(count "ebpf.type && ebpf.owner")"
# Where the owners sit: one eBPFFlow item per packet, under TCP or UDP in the protocol
# hierarchy, never nested in itself; eBPFFlow records under the exported PDUs.
tshark -2 -r "$TMP/m.pcapng" -q -z io,phs 2>/dev/null >"$TMP/phs.txt"
grep -Eq '^ +tcp +frames:[0-9]+' "$TMP/phs.txt" && grep -Eq '^ +ebpf +frames:[0-9]+' "$TMP/phs.txt" ||
	fail "no tcp or ebpf in the protocol hierarchy: $(cat "$TMP/phs.txt")"
awk '/frames:/ {d = match($0, /[^ ]/); name[d] = $1; for (k in name) if (k + 0 > d) delete name[k]
		parent = ""; for (k = d - 1; k > 0; k--) if (k in name) { parent = name[k]; break }
		if ($1 == "ebpf" && parent == "ebpf") bad = 1}
	END {exit bad}' "$TMP/phs.txt" || fail "ebpf nested in itself in the protocol hierarchy: $(cat "$TMP/phs.txt")"
grep -q 'ebpf\.owner' "$TMP/phs.txt" && fail "a protocol ebpf.owner in the hierarchy: $(cat "$TMP/phs.txt")"
expect_eq "packets with owners, each with one eBPFFlow item" "$(count "ebpf.owner")" "$(count "(tcp || udp) && count(ebpf) == 1")"
ok "protocol hierarchy: eBPFFlow under TCP and UDP, once, never in itself"

# 7. The order of the file does not matter: all packets first, then all records.
mergecap -a -w "$TMP/cat.pcapng" "$TMP/pk.pcapng" "$TMP/ev.pcapng" || fail "mergecap -a"
owners() { fields "$1" "tcp || udp" "$TMP/all.txt" && cut -d'|' -f3,4,7,8 "$TMP/all.txt" >"$2"; }
owners "$TMP/m.pcapng" "$TMP/m.owners"
owners "$TMP/cat.pcapng" "$TMP/cat.owners"
cmp -s "$TMP/m.owners" "$TMP/cat.owners" || fail "owners differ when the records come after the packets: $(diff "$TMP/m.owners" "$TMP/cat.owners" | head -5)"
ok "records after the packets: the same owners on all $(wc -l <"$TMP/m.owners") packets"
