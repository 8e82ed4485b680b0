# Packets + events on one interface: every TCP packet of known flows carries
# its owners in its pcapng comment (read by plain tshark, no plugin needed),
# for 200 concurrent connections from 200 client processes, over IPv4 and
# IPv6, including each first SYN, and UDP from an unconnected socket; a flow
# table too small for them counts its evictions and never hands one flow's
# owner to another. The servers run before the capture starts: their
# listening sockets, found in /proc, name them until accept() does.
. test/helpers/lib.sh
NS=ebpfcap-own$$ HOSTIF=ebown$$h PEERIF=ebown$$p
NET=10.203.$(($$ % 250)) NET6=fd00:ebc:$(($$ % 250)):   # per run: two runs must not share a route
PORT=7100 PORT6=7106 CLIENTS=200 CLIENTS6=30

ip netns add $NS || fail "ip netns add"
at_exit "ip netns del $NS"
ip link add $HOSTIF type veth peer name $PEERIF && ip link set $PEERIF netns $NS || fail "veth pair"
at_exit "ip link del $HOSTIF"
ip addr add $NET.1/30 dev $HOSTIF && ip -6 addr add $NET6:1/64 dev $HOSTIF nodad
ip link set $HOSTIF up
ip netns exec $NS sh -c "ip addr add $NET.2/30 dev $PEERIF && ip -6 addr add $NET6:2/64 dev $PEERIF nodad &&
	ip link set $PEERIF up && ip link set lo up" || fail "namespace addresses"

# start_server MODE ADDR PORT N: traffic's serve or udpserve in the namespace; sets $server and $server_pid.
start_server() {
	: >"$TMP/serve$3.out" # emptied here, not by the background job: a port's earlier line must not count
	ip netns exec $NS $TRAFFIC "$1" "$2" "$3" "$4" >"$TMP/serve$3.out" &
	server=$!
	at_exit "kill $server"
	wait_for -p $server 5 "the server on $2 port $3 to listen" grep -q listening "$TMP/serve$3.out"
	server_pid=$(field "$(cat "$TMP/serve$3.out")" server_pid)
	[ -n "$server_pid" ] || fail "server on $2 port $3 did not start"
}

# capture FILE [OPTIONS]: ebpfcap on the host side of the veth pair; sets $cap.
capture() {
	out=$1; shift
	start_ebpfcap "$out.err" -i ebpf_$HOSTIF -w "$out" "$@"
}

# exchange NAME SERVER_MODE CLIENT_MODE ADDR PORT N [CAPTURE OPTIONS]: the server (started
# before the capture), a capture to $TMP/NAME.pcapng, the clients (their lines in $TMP/NAME.out).
exchange() {
	name=$1 server_mode=$2 client_mode=$3 addr=$4 port=$5 n=$6; shift 6
	start_server $server_mode $addr $port $n
	capture "$TMP/$name.pcapng" "$@"
	$TRAFFIC $client_mode $addr $port $n >"$TMP/$name.out" || fail "$name: traffic $client_mode"
	reap $server
	stop_capture
}

# check_owners FILE PORT CLIENTS_OUT: prints "packets right missing wrong server" over the
# TCP packets to or from PORT. Right: the client's own pid on its side of the comment
# ("src" when it sent the packet, "dst" when it received it); any server named is ours
# (by its pid: its listener may have been made before it renamed itself tcp_server).
check_owners() {
	tshark -r "$1" -Y "tcp.port == $2" -T fields -E separator='|' -e tcp.srcport -e tcp.dstport -e frame.comment 2>/dev/null |
	awk -F'|' -v port="$2" -v server="$server_pid" -v clients="$3" '
		BEGIN { while ((getline l < clients) > 0) { split(l, f, /[ =]/); pid[f[4]] = f[2] } }
		{
			from_client = $2 == port; cport = from_client ? $1 : $2
			want = (from_client ? "src" : "dst") " tcp_client(" pid[cport] ")"
			comment = $3 " | " $4     # tshark splits the comment at our separator
			packets++
			if (index(comment, want)) right++
			else if (comment ~ /tcp_client\(/) wrong++
			else missing++
			if (index(comment, "(" server ") uid=")) named++   # as tcp_server, or by listen() as traffic
			else if (comment ~ /tcp_server\(|listening/) wrong++
		}
		END { printf "%d %d %d %d %d\n", packets, right, missing, wrong, named }'
}

# 200 connections at once, each from its own process, over IPv4.
exchange own serve clients $NET.2 $PORT $CLIENTS
set -- $(check_owners "$TMP/own.pcapng" $PORT "$TMP/own.out")
[ "$1" -ge $((CLIENTS * 7)) ] || fail "only $1 packets of $CLIENTS connections captured"
expect_eq "packets with their client's owner, of $1" "$1" "$2"
expect_eq "packets with no owner" 0 "$3"
expect_eq "packets with a wrong owner" 0 "$4"
expect_eq "packets naming the server too (its listener, until accept() returns)" "$1" "$5"
syns=$(tshark -r "$TMP/own.pcapng" -Y "tcp.dstport == $PORT && tcp.flags.syn == 1 && tcp.flags.ack == 0 && frame.comment contains \"src tcp_client(\"" 2>/dev/null | wc -l)
expect_eq "first SYNs attributed" $CLIENTS "$syns"
grep -q dropped "$TMP/own.pcapng.err" && fail "packets dropped: $(cat "$TMP/own.pcapng.err")"
# The plugin's two-pass view of the same file: ebpf.pid of source and destination owner, in that order.
pids_right=$(tshark -2 -r "$TMP/own.pcapng" -Y "tcp.port == $PORT" -T fields -E 'separator=;' \
	-e tcp.srcport -e tcp.dstport -e ebpf.pid 2>/dev/null |
	awk -F';' -v port=$PORT -v server="$server_pid" -v clients="$TMP/own.out" '
		BEGIN { while ((getline l < clients) > 0) { split(l, f, /[ =]/); pid[f[4]] = f[2] } }
		{ want = $2 == port ? pid[$1] "," server : server "," pid[$2]; if ($3 == want) n++ }
		END { print n + 0 }')
expect_eq "packets whose ebpf.pid (tshark -2) is their client and server, each on its side" "$1" "$pids_right"
expect_eq "interfaces in the pcapng: events and packets" 2 \
	"$(capinfos -I "$TMP/own.pcapng" 2>/dev/null | grep -c 'Encapsulation = ')"

# A server that begins to listen during the capture: its listen() names it
# until accept() does. One connection is served at a time, so 19 of 20 wait in
# the accept queue, their handshake and first data before any accept().
capture "$TMP/late.pcapng" --reorder-window 0 # named as packets arrive, not once accept() is known
start_server serve $NET.2 $PORT 20
$TRAFFIC clients $NET.2 $PORT 20 >"$TMP/late.out" || fail "late: traffic clients"
reap $server
stop_capture
set -- $(check_owners "$TMP/late.pcapng" $PORT "$TMP/late.out")
expect_eq "packets naming the server that began listening during the capture, of $1" "$1" "$5"
expect_eq "... with their client's owner" "$1" "$2"
expect_eq "its TCP_Listen record" "$server_pid $NET.2" "$(tshark -r "$TMP/late.pcapng" \
	-Y "ebpf.type == \"TCP_Listen\" && ebpf.srcport == $PORT" -T fields -E separator=' ' -e ebpf.pid -e ebpf.src 2>/dev/null)"

# The same over IPv6.
exchange own6 serve clients $NET6:2 $PORT6 $CLIENTS6
set -- $(check_owners "$TMP/own6.pcapng" $PORT6 "$TMP/own6.out")
[ "$1" -ge $((CLIENTS6 * 7)) ] || fail "only $1 IPv6 packets captured"
expect_eq "IPv6 packets with their client's owner, of $1" "$1" "$2"
expect_eq "IPv6 packets with a wrong owner" 0 "$4"

# IPv4 through dual-stack (AF_INET6) sockets at both ends, as Java makes them: the records
# say ::ffff:a.b.c.d, the packets are IPv4.
exchange mapped serve clients ::ffff:$NET.2 $PORT $CLIENTS6
set -- $(check_owners "$TMP/mapped.pcapng" $PORT "$TMP/mapped.out")
[ "$1" -ge $((CLIENTS6 * 7)) ] || fail "only $1 packets of dual-stack sockets captured"
expect_eq "IPv4 packets of dual-stack sockets with their client's owner, of $1" "$1" "$2"
expect_eq "IPv4 packets of dual-stack sockets naming the server too" "$1" "$5"
expect_eq "IPv4 packets of dual-stack sockets with a wrong owner" 0 "$4"

# UDP from an unconnected socket (bound to the wildcard address): the first datagram's event names it.
exchange udp udpserve udpping $NET.2 7200 20
client_pid=$(field "$(cat "$TMP/udp.out")" client_pid)
tshark -r "$TMP/udp.pcapng" -Y "udp.port == 7200" -T fields -E 'separator=;' -e udp.srcport -e frame.comment \
	2>/dev/null | sed "s|^7200;|server;|; s|^[0-9]*;|client;|" >"$TMP/udp.packets"
expect_eq "UDP packets captured" 40 "$(wc -l <"$TMP/udp.packets")"
expect_eq "UDP packets naming client and server, each on its side" 40 "$(grep -c \
	"^client;src tcp_client($client_pid).*dst tcp_server($server_pid)\|^server;src tcp_server($server_pid).*dst tcp_client($client_pid)" \
	"$TMP/udp.packets")"

# A flood: 200 sockets into a table of 16. Evictions are counted; nothing is misattributed.
exchange flood serve clients $NET.2 $PORT $CLIENTS --flow-table-size 16
evicted=$(sed -n 's/.* \([0-9]*\) forgotten because the table was full.*/\1/p' "$TMP/flood.pcapng.err")
[ -n "$evicted" ] && [ "$evicted" -ge $((2 * CLIENTS - 16)) ] ||
	fail "evictions not counted: $(cat "$TMP/flood.pcapng.err")"
ok "$evicted sockets evicted from a table of 16"
set -- $(check_owners "$TMP/flood.pcapng" $PORT "$TMP/flood.out")
expect_eq "packets with a wrong owner after evictions" 0 "$4"
ok "with evictions: $2 of $1 packets still attributed"
