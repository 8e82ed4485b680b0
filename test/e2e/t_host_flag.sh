# ebpf.flags.host is on every event of a host process, the first event of
# each cgroup included: clients each in a cgroup made just before it
# connects, so that the capture meets every cgroup for the first time on the
# client's TCP_Connect (before, the flag came only once a background lookup
# had answered, and the first one or two events of a cgroup lacked it).
. test/helpers/lib.sh
PORT=7441 K=6
root=/sys/fs/cgroup/memory
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && root=/sys/fs/cgroup
[ -w "$root/cgroup.procs" ] || fail "no writable cgroup hierarchy at $root"

start_ebpfcap "$TMP/cap.err" --port $PORT -w "$TMP/cap.pcapng"
$TRAFFIC serve 127.0.0.1 $PORT $K >"$TMP/serve.out" &
server=$!
at_exit "kill $server"
wait_for -p $server 5 "the server to listen" grep -q listening "$TMP/serve.out"
for i in $(seq $K); do
	cg=$root/ebpfcap-hostflag-$$-$i
	mkdir "$cg" || fail "mkdir $cg"
	at_exit "rmdir $cg"
	sh -c "echo \$\$ >$cg/cgroup.procs && exec $TRAFFIC clients 127.0.0.1 $PORT 1" >>"$TMP/clients.out" ||
		fail "client $i"
done
reap $server
stop_capture
n() { tshark -r "$TMP/cap.pcapng" -Y "$1" 2>/dev/null | wc -l; }
cgroups=$(tshark -r "$TMP/cap.pcapng" -Y "ebpf.type == \"TCP_Connect\"" -T fields -e ebpf.cgroup 2>/dev/null | sort -u | wc -l)
expect_eq "clients' TCP_Connect records, each in its own new cgroup" "$K $K" "$(n 'ebpf.type == "TCP_Connect"') $cgroups"
total=$(n 'ebpf.type != "Capture_Drops"')
[ "$total" -ge $((K * 4)) ] || fail "only $total records for $K connections"
expect_eq "records of host processes with ebpf.flags.host, of $total" "$total" "$(n 'ebpf.flags.host == 1')"
