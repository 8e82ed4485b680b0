# ebpf.comm is the process's name (as /proc/PID/comm), the thread that did it
# is ebpf.thread.comm, and --comm matches the process: dig (its I/O thread
# is isc-net-0000) against a dnsmasq the test starts on loopback, and a
# small threaded program whose named worker thread connects.
. test/helpers/lib.sh
command -v dig >/dev/null || fail "dig is not installed (apt-get install bind9-dnsutils)"
command -v dnsmasq >/dev/null || fail "dnsmasq is not installed (apt-get install dnsmasq)"
DNS=127.0.0.77 DNS_PORT=25953 TCP_PORT=25954

# A resolver that answers one name itself and asks nobody else.
dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address=$DNS --port=$DNS_PORT --address=/kbpf.test/127.0.0.9 --user=root \
	--pid-file="$TMP/dnsmasq.pid" 2>"$TMP/dnsmasq.err" &
dns=$!
at_exit "kill $dns"
wait_for -p $dns -l "$TMP/dnsmasq.err" 5 "dnsmasq to start" test -s "$TMP/dnsmasq.pid"
kill -0 $dns 2>/dev/null || fail "dnsmasq did not start: $(cat "$TMP/dnsmasq.err")"

# --- dig, found by its own name ---
$EBPFCAP -w "$TMP/dig.pcapng" --comm dig --event-types UDP_Send,UDP_Recv 2>"$TMP/dig.err" &
cap=$!
at_exit "kill -9 $cap"
objs=$(attached_objects $cap) || exit 1
answer=$(dig @$DNS -p $DNS_PORT +tries=1 +time=3 +short kbpf.test A) || fail "dig failed"
expect_eq "dnsmasq's answer to dig" 127.0.0.9 "$answer"
sleep 0.3
kill -INT $cap; reap $cap 10
expect_eq "--comm dig capture: exit status" 0 "$status"
expect_released "--comm dig capture" "$objs"
# "type comm thread.comm" of dig's query and answer.
expect_eq "dig's events (type comm thread)" "6 dig isc-net-0000
7 dig isc-net-0000" \
	"$(tshark_fields "$TMP/dig.pcapng" -Y "ebpf.addr == $DNS && (ebpf.dstport == $DNS_PORT || ebpf.srcport == $DNS_PORT)" \
		-e ebpf.type -e ebpf.comm -e ebpf.thread.comm | sort -u)"
expect_eq "--comm dig: events of other processes" "" \
	"$(tshark_fields "$TMP/dig.pcapng" -Y 'ebpf.comm != "dig"' -e ebpf.comm)"

# --- a process named namedproc whose thread worker-net connects ---
python3 -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", '$TCP_PORT')); s.listen(8); print("listening", flush=True)
c, _ = s.accept(); c.recv(16); c.close()' >"$TMP/listener.out" &
listener=$!
at_exit "kill $listener"
wait_for -p $listener 5 "the listener to listen" grep -q listening "$TMP/listener.out"
$EBPFCAP -w "$TMP/threads.pcapng" --comm namedproc --event-types TCP_Connect,TCP_Close 2>"$TMP/threads.err" &
cap=$!
at_exit "kill -9 $cap"
objs=$(attached_objects $cap) || exit 1
python3 -c 'import ctypes, socket, threading, os
prctl = ctypes.CDLL(None).prctl
prctl(15, b"namedproc", 0, 0, 0)  # PR_SET_NAME on the main thread: the process name
def work():
    prctl(15, b"worker-net", 0, 0, 0)
    s = socket.create_connection(("127.0.0.1", '$TCP_PORT')); s.send(b"hi"); s.close()
t = threading.Thread(target=work); t.start(); t.join(); print("pid=%d" % os.getpid())' >"$TMP/threaded.out" \
	|| fail "threaded client failed"
wait $listener
sleep 0.3
kill -INT $cap; reap $cap 10
expect_eq "--comm namedproc capture: exit status" 0 "$status"
expect_released "--comm namedproc capture" "$objs"
pid=$(field "$(cat "$TMP/threaded.out")" pid)
expect_eq "namedproc's connect and close (type pid comm thread)" "1 $pid namedproc worker-net
4 $pid namedproc worker-net" \
	"$(tshark_fields "$TMP/threads.pcapng" -Y "ebpf.dstport == $TCP_PORT" -e ebpf.type -e ebpf.pid -e ebpf.comm -e ebpf.thread.comm | sort)"
