# Pod- and container-named veth interfaces: listed by tshark -D, and a
# capture on one (through tshark) holds the pod's packets and the events of
# its processes only, in one pcapng.
. test/helpers/lib.sh
. test/helpers/docker.sh
POD=ebpfcap-test-dns NAMED=ebpfcap-test-named
containers_up $POD $NAMED
"$DOCKER" run -d --name $POD --label io.kubernetes.pod.name=kube-dns-6bfbdd666c-5jbmx \
	--label io.kubernetes.pod.namespace=kube-system --label io.kubernetes.container.name=kubedns \
	$IMAGE sh -c 'while true; do nc -l -p 7000 >/dev/null; done' >/dev/null || fail "docker run"
"$DOCKER" run -d --name $NAMED $IMAGE sleep 120 >/dev/null || fail "docker run"
ip=$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}' $POD)

tshark -D 2>/dev/null >"$TMP/D.txt"
iface=$(sed -n 's/^[0-9]*\. \(ebpf_veth[^ ]*\) (Pod kube-dns-6bfbdd666c-5jbmx, Namespace kube-system (veth[^)]*))$/\1/p' "$TMP/D.txt")
[ -n "$iface" ] || fail "tshark -D lists no pod interface: $(grep ebpf "$TMP/D.txt")"
ok "tshark -D: $(grep "$iface" "$TMP/D.txt")"
grep -qE "^[0-9]+\. ebpf_veth[^ ]* \(Container $NAMED \(veth[^)]*\)\)$" "$TMP/D.txt" || fail "no interface named after $NAMED"
ok "tshark -D: $(grep "Container $NAMED" "$TMP/D.txt")"

tshark -i "$iface" -w "$TMP/pod.pcapng" 2>"$TMP/err" &
cap=$!
at_exit "kill $cap"
wait_attached
$TRAFFIC bulk "$ip" 7000 8 >/dev/null || fail "traffic to the pod"
$TRAFFIC tcp 2 >/dev/null # host traffic: neither its packets nor its events belong here
sleep 0.5
kill -TERM $cap; wait $cap # tshark: a background job of sh ignores SIGINT
expect_no_programs

syn=$(tshark -r "$TMP/pod.pcapng" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 7000" 2>/dev/null | wc -l)
expect_eq "the pod's packets: the SYN to port 7000" 1 "$syn"
accepts=$(tshark_fields "$TMP/pod.pcapng" -Y 'ebpf.type == "TCP_Accept" && ebpf.comm == "nc" && ebpf.pod == "kube-dns-6bfbdd666c-5jbmx"' -e ebpf.pid | wc -l)
expect_eq "the pod's accept event, named" 1 "$accepts"
others=$(tshark_fields "$TMP/pod.pcapng" -Y 'ebpf && !(ebpf.pod == "kube-dns-6bfbdd666c-5jbmx")' -e ebpf.comm | wc -l)
expect_eq "events of processes outside the pod" 0 "$others"
expect_eq "two interfaces in the pcapng: events and packets" 2 \
	"$(capinfos -I "$TMP/pod.pcapng" 2>/dev/null | grep -c 'Encapsulation = ')"
