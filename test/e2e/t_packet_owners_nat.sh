# Packets + events across a NAT: a client namespace talks to 10.204.9.1:8080,
# which this host translates (DNAT) to a server namespace's 10.204.8.2:80.
# Captured before the translation, the packets still name the server: its
# socket knows the translated tuple, and the kernel's conntrack links the two.
. test/helpers/lib.sh
C=ebpfcap-natc$$ S=ebpfcap-nats$$ CIF=ebnatc$$ SIF=ebnats$$
RULE="PREROUTING -i ${CIF}h -p tcp -d 10.204.9.1 --dport 8080 -j DNAT --to-destination 10.204.8.2:80"

# namespace NAME IF HOST_ADDR PEER_ADDR: a namespace behind a veth pair, routed through us.
namespace() {
	ip netns add $1 || fail "ip netns add $1"
	at_exit "ip netns del $1"
	ip link add ${2}h type veth peer name ${2}p && ip link set ${2}p netns $1 || fail "veth $2"
	at_exit "ip link del ${2}h"
	ip addr add $3/30 dev ${2}h && ip link set ${2}h up
	ip netns exec $1 sh -c "ip addr add $4/30 dev ${2}p && ip link set ${2}p up && ip link set lo up &&
		ip route add default via $3" || fail "addresses of $1"
}
namespace $C $CIF 10.204.9.1 10.204.9.2
namespace $S $SIF 10.204.8.1 10.204.8.2
forwarding=$(cat /proc/sys/net/ipv4/ip_forward)
echo 1 >/proc/sys/net/ipv4/ip_forward
at_exit "echo $forwarding >/proc/sys/net/ipv4/ip_forward"
iptables -t nat -A $RULE || fail "iptables DNAT"
at_exit "iptables -t nat -D $RULE"
for dev in ${CIF}h ${SIF}h; do
	iptables -I FORWARD -i $dev -j ACCEPT && at_exit "iptables -D FORWARD -i $dev -j ACCEPT"
done

ip netns exec $S $TRAFFIC serve 10.204.8.2 80 1 >"$TMP/serve.out" &
server=$!
at_exit "kill $server"
wait_for -p $server 5 "the server to listen" grep -q listening "$TMP/serve.out"
server_pid=$(field "$(cat "$TMP/serve.out")" server_pid)
[ -n "$server_pid" ] || fail "server did not start"

start_ebpfcap "$TMP/err" -i ebpf_${CIF}h -w "$TMP/nat.pcapng"
ip netns exec $C $TRAFFIC clients 10.204.9.1 8080 1 >"$TMP/client.out" || fail "client through the NAT"
client_pid=$(field "$(cat "$TMP/client.out")" client_pid)
reap $server
stop_capture

# Per packet: sent by the client (to 8080) or the server (from 8080), payload length, owners.
tshark -r "$TMP/nat.pcapng" -Y "tcp.port == 8080" -T fields -E 'separator=;' -e tcp.srcport -e tcp.len \
	-e frame.comment 2>/dev/null |
	sed "s|^8080;|server;|; s|^[0-9]*;|client;|" >"$TMP/packets"
[ -s "$TMP/packets" ] || fail "no packets to 10.204.9.1:8080 captured"
from_client="src tcp_client($client_pid) uid=0 | dst tcp_server($server_pid)"
from_server="src tcp_server($server_pid) uid=0 | dst tcp_client($client_pid)"
data=$(grep -c ';[1-9][0-9]*;' "$TMP/packets")
right=$(grep ';[1-9][0-9]*;' "$TMP/packets" | grep -c "^client;.*$from_client\|^server;.*$from_server")
expect_eq "data packets naming client and (through the NAT) server, each on its side, of $data" "$data" "$right"
expect_eq "packets with a wrong server or side" 0 \
	"$(grep "tcp_server" "$TMP/packets" | grep -vc "^client;.*$from_client\|^server;.*$from_server")"
expect_eq "packets without their client" 0 "$(grep -vc "tcp_client($client_pid)" "$TMP/packets")"
ok "$(grep -c "tcp_server($server_pid)" "$TMP/packets") of $(wc -l <"$TMP/packets") packets name the server behind the NAT"
