# Every way a capture ends leaves no BPF program behind and a readable pcapng.
. test/lib.sh

# start_capture OUT: runs the binary in the background, sets $cap_pid.
start_capture() {
	$EBPFCAP --extcap-interface ebpfevents --capture --fifo "$1" 2>"$TMP/err" &
	cap_pid=$!
	at_exit "kill -9 $cap_pid"
	wait_attached
}

check_file() {
	$TRAFFIC tcp 1 >/dev/null || fail "traffic failed"
	sleep 0.3
}

for sig in INT TERM HUP; do
	start_capture "$TMP/$sig.pcapng"
	check_file
	kill -$sig $cap_pid
	reap $cap_pid
	expect_no_programs
	n=$($EBPFCAP -r "$TMP/$sig.pcapng" | grep -c "TCP_Connect  *tcp_client\[")
	expect_eq "SIG$sig: connects in the file written so far" 1 "$n"
	[ -s "$TMP/err" ] && fail "SIG$sig: stderr not empty: $(cat "$TMP/err")"
done

# kill -9: the kernel objects are owned by descriptors and die with the process.
start_capture "$TMP/kill9.pcapng"
kill -9 $cap_pid
reap $cap_pid
expect_no_programs

# The reader of the fifo goes away (Wireshark's stop button closes it).
mkfifo "$TMP/fifo"
head -c 300 "$TMP/fifo" >/dev/null &
start_capture "$TMP/fifo"
check_file
reap $cap_pid 5
expect_no_programs
ok "reader gone: capture ended by itself"

# The parent (Wireshark) dies without a word: PR_SET_PDEATHSIG ends us too.
mkfifo "$TMP/fifo2"
cat "$TMP/fifo2" >/dev/null &
sh -c "$EBPFCAP --extcap-interface ebpfevents --capture --fifo $TMP/fifo2 & sleep 2; kill -9 \$\$" 2>/dev/null &
sleep 1
wait_attached
sleep 1.5
expect_no_programs
ok "parent death: capture ended"
