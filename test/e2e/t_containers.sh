# Container and pod names on events, from the real Docker Engine: a
# kubelet-labelled container running before the capture, one started
# during it, and dockerd stopped mid-capture without stopping the capture.
. test/helpers/lib.sh
. test/helpers/docker.sh
POD=ebpfcap-test-pod LATE=ebpfcap-test-late
containers_up $POD $LATE
"$DOCKER" run -d --name $POD --label io.kubernetes.pod.name=web-7f9c \
	--label io.kubernetes.pod.namespace=shop --label io.kubernetes.container.name=web \
	$IMAGE sleep 120 >/dev/null || fail "docker run"
id=$("$DOCKER" inspect -f '{{.Id}}' $POD)

# The kernel's filters by container and by pod: only that container's events reach us.
for sel in "--container $POD" "--container $(echo $id | cut -c1-12)" "--pod web-7f9c.shop"; do
	$EBPFCAP -w "$TMP/f.pcapng" $sel --event-types TCP_Connect 2>"$TMP/ferr" &
	fcap=$!
	wait_attached
	sleep 0.5 # the resolver names running containers first
	"$DOCKER" exec $POD sh -c 'nc -l -p 9001 >/dev/null & sleep 0.3; echo hi | nc 127.0.0.1 9001; wait'
	$TRAFFIC tcp 2 >/dev/null
	sleep 0.3
	kill -INT $fcap; wait $fcap
	expect_no_programs
	expect_eq "$sel: the pod's connect" 1 "$(tshark_fields "$TMP/f.pcapng" -Y "ebpf.container.id == \"$id\"" -e ebpf.pid | wc -l)"
	expect_eq "$sel: nothing else (the host's connects were filtered in the kernel)" 1 \
		"$(tshark_fields "$TMP/f.pcapng" -Y ebpf -e ebpf.pid | wc -l)"
done
$EBPFCAP -w "$TMP/f.pcapng" --pod no-such-pod 2>"$TMP/ferr" && fail "--pod no-such-pod: exited 0"
expect_eq "an unknown pod" "ebpfcap: no running container of pod 'no-such-pod'" "$(cat "$TMP/ferr")"


$EBPFCAP -w "$TMP/c.pcapng" --event-types TCP_Connect,TCP_Accept,TCP_Connect_Failed 2>"$TMP/err" &
cap=$!
at_exit "kill -9 $cap"
wait_attached
sleep 0.5 # the resolver names running containers first

# Traffic on the pod container's own loopback.
"$DOCKER" exec $POD sh -c 'nc -l -p 9000 >/dev/null & sleep 0.3; echo hi | nc 127.0.0.1 9000; wait' \
	|| fail "traffic in the pod container"
# A container started during the capture: its first event may go out unnamed, later ones are named.
"$DOCKER" run --rm --name $LATE $IMAGE sh -c 'for i in 1 2 3 4 5; do nc 127.0.0.1 9 </dev/null; sleep 0.4; done' 2>/dev/null

# Host processes: the first event of a cgroup goes out before it is resolved, later ones are marked.
$TRAFFIC tcp 2 >/dev/null
sleep 0.3
$TRAFFIC tcp 2 >/dev/null

# dockerd goes away; the capture goes on.
if [ -n "${DOCKERD_PID:-}" ]; then
	"$DOCKER" rm -f $POD >/dev/null
	kill $DOCKERD_PID; wait $DOCKERD_PID 2>/dev/null
	$TRAFFIC tcp 1 >/dev/null
	sleep 0.3
	kill -0 $cap || fail "the capture stopped with dockerd"
	ok "dockerd stopped mid-capture: the capture goes on"
fi
kill -INT $cap; wait $cap
expect_no_programs

tshark_fields "$TMP/c.pcapng" -Y 'ebpf.comm == "nc" && ebpf.pod == "web-7f9c"' \
	-e ebpf.type -e ebpf.container.name -e ebpf.pod -e ebpf.namespace -e ebpf.k8s.container \
	-e ebpf.container.runtime -e ebpf.container.id >"$TMP/pod.txt"
expect_eq "pod container: connect and accept, named" 2 \
	"$(grep -c "$POD web-7f9c shop web docker $id" "$TMP/pod.txt")"
expect_eq "events of nc in the pod container without its names" 0 \
	"$(tshark_fields "$TMP/c.pcapng" -Y "ebpf.comm == \"nc\" && ebpf.container.id == \"$id\" && !ebpf.pod" -e ebpf.pid | wc -l)"
late=$(tshark_fields "$TMP/c.pcapng" -Y "ebpf.container.name == \"$LATE\"" -e ebpf.pid | wc -l)
[ "$late" -ge 3 ] || fail "only $late events named $LATE (a container started during the capture)"
ok "container started during the capture: $late of 5 events named"
host=$(tshark_fields "$TMP/c.pcapng" -Y 'ebpf.comm == "tcp_client" && ebpf.container.id' -e ebpf.pid | wc -l)
expect_eq "host processes carry no container" 0 "$host"
marked=$(tshark_fields "$TMP/c.pcapng" -Y 'ebpf.comm == "tcp_client" && ebpf.flags.host == 1' -e ebpf.pid | wc -l)
[ "$marked" -ge 1 ] || fail "host processes are not marked ebpf.flags.host"
expect_eq "container processes marked as on the host" 0 \
	"$(tshark_fields "$TMP/c.pcapng" -Y 'ebpf.container.id && ebpf.flags.host == 1' -e ebpf.pid | wc -l)"
ok "host processes marked: ebpf.flags.host == 1 on $marked events"
