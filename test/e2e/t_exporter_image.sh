# The exporter's container image (docs/deploy/), built by the local Docker
# Engine from the context `make image` assembles (FROM scratch, no registry),
# run as the DaemonSet runs it, collected on the host: the host's loopback
# connections arrive with the host's pids, comms, name and machine id.
#  - docker: what Docker 20.10 can express of the DaemonSet. It knows no
#    CAP_BPF/CAP_PERFMON (and --privileged cannot start here: this machine's
#    bounding set lacks CAP_SYS_RESOURCE), so CAP_SYS_ADMIN stands in for both.
#    Also checks that a container's events carry its id (the cgroup mount).
#  - containerd (ctr, the runtime a kubelet drives): the image loaded the way
#    README says, the DaemonSet's exact securityContext (all capabilities
#    dropped but BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH; the runtime's
#    default seccomp profile), its mounts, and the CURVE key from a file as
#    the Secret volume gives it.
# Traffic only on loopback and inside a container this test starts.
. test/helpers/lib.sh
. test/helpers/docker.sh
docker_up
command -v ctr >/dev/null || fail "ctr is missing (Debian's containerd, a dependency of docker.io)"
PEER=$BUILD/test/zmq_peer
TAG=ebpfcap-exporter:test-$$
NAME=ebpfcap-exporter-test-$$
CTR="ctr -a /var/run/docker/containerd/containerd.sock -n ebpfcap-test"
port=$((28000 + $$ % 600 * 4))
host=$(hostname)
machine=$(head -c 32 /etc/machine-id 2>/dev/null)
at_exit "$CTR namespaces rm ebpfcap-test" # runs last; fails harmlessly if another run still uses it

DOCKER=$DOCKER sh docs/deploy/build-image.sh "$BUILD" $TAG >"$TMP/build.out" 2>&1 || fail "image build: $(cat "$TMP/build.out")"
at_exit "$DOCKER rmi -f $TAG"
ok "image built without a registry: $(cat "$TMP/build.out")"
expect_eq "image entrypoint and default args" '[/usr/bin/ebpfcap] [--export=tcp://0.0.0.0:5556 --secret-key /etc/ebpfcap/keys/exporter.key]' \
	"$("$DOCKER" image inspect -f '{{.Config.Entrypoint}} {{.Config.Cmd}}' $TAG)"

# The DaemonSet's hostPath mounts, SOURCE:TARGET (hostPID and hostNetwork are
# the run's flags). No kubelet here: an empty directory for its pod logs.
# The DaemonSet expects tracefs mounted on the node, as systemd does.
[ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing || fail "cannot mount tracefs"
pods=/var/log/pods
[ -d $pods ] || { pods=$TMP/pods; mkdir $pods; }
MOUNTS="/sys/kernel/btf:/sys/kernel/btf /sys/fs/cgroup:/sys/fs/cgroup /sys/kernel/tracing:/sys/kernel/tracing
	/etc/machine-id:/etc/machine-id $pods:/var/log/pods"

# Until the exporter (host pid $1) has its programs attached and a collector subscribed (log $2).
wait_ready() {
	last=0 same=0
	wait_for -l "$2" 15 "the exporter to be ready" exporter_ready $1 "$2"
	exp_objs=$(bpf_objects_of $1)
	ok "exporter pid $1: $(printf '%s\n' "$exp_objs" | grep -c '^prog ') BPF programs attached, a collector subscribed"
}

# exporter_ready PID LOG: its count of programs the same 3 checks in a row, and a collector
# subscribed; each check refreshes LOG with $LOGCMD, if set.
exporter_ready() {
	n=$(bpf_objects_of $1 | grep -c '^prog ')
	[ "$n" -gt 0 ] && [ "$n" -eq "$last" ] && same=$((same + 1)) || same=0
	last=$n
	[ -n "${LOGCMD:-}" ] && eval "$LOGCMD" >"$2" 2>&1
	[ $same -ge 3 ] && grep -q "subscribed" "$2"
}

# start_collector NAME ARGS...: sets $col; the capture in $TMP/NAME.pcapng
start_collector() {
	name=$1; shift
	$EBPFCAP -i ebpfremote -w "$TMP/$name.pcapng" "$@" 2>"$TMP/$name.err" &
	col=$!
	at_exit "kill -9 $col"
}

stop_collector() {
	kill -TERM $col
	reap $col 5
	expect_eq "collector $1: exit status" 0 "$status"
	[ -s "$TMP/$1.err" ] && fail "collector $1: stderr: $(cat "$TMP/$1.err")"
	true
}

count() { $PEER dump "$1" 2>/dev/null | grep -cE "$2" || true; }

# host_traffic_seen NAME: 3 connects of the traffic generator, with pid, comm, host and machine id
host_traffic_seen() {
	out=$($TRAFFIC tcp 3) || fail "traffic failed"
	pid=$(field "$out" client_pid)
	wait_for 10 "$1: the 3 connects of pid $pid" at_least 3 count "$TMP/$1.pcapng" "type=TCP_Connect pid=$pid "
	expect_eq "$1: connects of pid $pid from $host (machine ${machine:--})" 3 \
		"$(count "$TMP/$1.pcapng" "^host=$host machine=${machine:--} type=TCP_Connect pid=$pid ")"
	expect_eq "$1: their comm" 3 "$($EBPFCAP -r "$TMP/$1.pcapng" | grep -c "TCP_Connect  *tcp_client($pid) ")"
}

# ---- docker ----
# A container running before the exporter starts: its events must carry its id.
image_up
cid=$("$DOCKER" run -d $IMAGE sleep 60) || fail "docker run busybox"
at_exit "$DOCKER rm -f $cid"
vols=""
for m in $MOUNTS; do vols="$vols -v $m:ro"; done
"$DOCKER" rm -f $NAME >/dev/null 2>&1
at_exit "$DOCKER rm -f $NAME"
"$DOCKER" run --rm -d --name $NAME --pid=host --network=host \
	--cap-drop=ALL --cap-add=SYS_ADMIN --cap-add=SYS_PTRACE --cap-add=DAC_READ_SEARCH $vols \
	$TAG --export=tcp://127.0.0.1:$port --insecure >/dev/null || fail "docker run"
exp=$("$DOCKER" inspect -f '{{.State.Pid}}' $NAME)
start_collector col-docker --remote-endpoints tcp://127.0.0.1:$port
LOGCMD="$DOCKER logs $NAME" wait_ready $exp "$TMP/docker.log"
host_traffic_seen col-docker

# The container's connect carries its id: the exporter found it under the mounted /sys/fs/cgroup.
"$DOCKER" exec $cid sh -c 'nc -l -p 9000 >/dev/null & sleep 0.3; echo hi | nc 127.0.0.1 9000; wait' \
	|| fail "traffic in the busybox container"
container_connect() { tshark -r "$TMP/col-docker.pcapng" -Y "ebpf.container.id == \"$cid\" && ebpf.type == \"TCP_Connect\"" 2>/dev/null | grep -q .; }
wait_for 5 "docker: a TCP_Connect with container id $cid" container_connect
ok "docker: the busybox container's connect carries its id ${cid%${cid#????????????}}"

"$DOCKER" stop -t 10 $NAME >/dev/null || fail "docker stop"
"$DOCKER" logs $NAME >/dev/null 2>&1 && fail "the container was not removed (--rm)"
stop_collector col-docker
expect_released "the exporter" "$exp_objs"
ok "docker: container stopped and removed"

# ---- containerd, the DaemonSet's securityContext, CURVE key from a Secret-like file ----
(umask 077; mkdir "$TMP/keys" && $EBPFCAP --gen-keys >"$TMP/keys/exporter.key") || fail "--gen-keys"
chmod 0400 "$TMP/keys/exporter.key" # the Secret volume's defaultMode
pub=$(sed -n 's/^public-key=//p' "$TMP/keys/exporter.key")
"$DOCKER" save $TAG | $CTR images import - >"$TMP/import.out" 2>&1 || fail "ctr images import: $(cat "$TMP/import.out")"
at_exit "$CTR images rm docker.io/library/$TAG"
mnts=""
for m in $MOUNTS; do mnts="$mnts --mount type=bind,src=${m%:*},dst=${m#*:},options=rbind:ro"; done
# ctr has no "drop all": its default set is dropped by name (CapEff is checked below).
drop=""
for c in CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW \
	SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP; do drop="$drop --cap-drop CAP_$c"; done
$CTR run --rm --net-host --with-ns pid:/proc/$$/ns/pid --seccomp --read-only $drop \
	--cap-add CAP_BPF --cap-add CAP_PERFMON --cap-add CAP_NET_ADMIN --cap-add CAP_SYS_PTRACE --cap-add CAP_DAC_READ_SEARCH \
	$mnts --mount type=bind,src=$TMP/keys,dst=/etc/ebpfcap/keys,options=rbind:ro \
	docker.io/library/$TAG $NAME /usr/bin/ebpfcap --export=tcp://127.0.0.1:$((port + 1)) \
	--secret-key /etc/ebpfcap/keys/exporter.key >"$TMP/ctr.log" 2>&1 &
ctr_run=$!
at_exit "$CTR tasks kill -s KILL $NAME; $CTR containers rm $NAME"
exporter_task() { exp=$($CTR tasks ls 2>/dev/null | awk -v n=$NAME '$1 == n && $3 == "RUNNING" { print $2 }') && [ -n "$exp" ]; }
wait_for -p $ctr_run -l "$TMP/ctr.log" 10 "ctr: the exporter to start" exporter_task
start_collector col-ctr --remote-endpoints tcp://127.0.0.1:$((port + 1)) --server-key "$pub"
wait_ready $exp "$TMP/ctr.log"
# What the DaemonSet asks for: exactly these capabilities, no_new_privs
# (allowPrivilegeEscalation: false; ctr's default), seccomp filter mode 2.
expect_eq "ctr: CapEff (BPF PERFMON NET_ADMIN SYS_PTRACE DAC_READ_SEARCH), NoNewPrivs, Seccomp" "000000c000081004 1 2" \
	"$(awk '$1 == "CapEff:" { c = $2 } $1 == "NoNewPrivs:" { n = $2 } $1 == "Seccomp:" { s = $2 } END { print c, n, s }' /proc/$exp/status)"
host_traffic_seen col-ctr
expect_eq "ctr: the executable, read from the host's /proc (CAP_SYS_PTRACE)" "$(readlink -f $TRAFFIC)" \
	"$(tshark -r "$TMP/col-ctr.pcapng" -Y "ebpf.pid == $pid && ebpf.type == \"TCP_Connect\"" -T fields -e ebpf.exe 2>/dev/null | sort -u)"

$CTR tasks kill -s TERM $NAME || fail "ctr tasks kill"
reap $ctr_run 10
expect_eq "ctr: exit status after SIGTERM" 0 "$status"
grep -q "^ebpfcap: exporting the events of $host on tcp://127.0.0.1:$((port + 1)) (CURVE)$" "$TMP/ctr.log" || fail "ctr: no start line: $(cat "$TMP/ctr.log")"
$CTR containers ls -q | grep -qx $NAME && fail "ctr: the container was not removed (--rm)"
stop_collector col-ctr
expect_released "the exporter" "$exp_objs"
ok "ctr: log: $(tr '\n' '|' <"$TMP/ctr.log")"
