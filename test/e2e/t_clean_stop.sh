# Every way a capture ends (a signal, kill -9, the fifo's reader or a pipe's
# going away, Wireshark dying) leaves none of its BPF programs, maps and
# links, no process, and a pcapng tshark reads with what was written so far.
# The capture follows one gated traffic generator (--pid), so what other
# tests run at the same time is not in its file.
. test/helpers/lib.sh



# start_capture OUT [ARGS]: as Wireshark runs it; sets $cap_pid and $objs.
start_capture() {
	out=$1; shift
	gate_traffic
	$EBPFCAP --extcap-interface ebpfevents --capture --fifo "$out" --pid $gen "$@" 2>"$TMP/err" &
	cap_pid=$!
	at_exit "kill -9 $cap_pid"
	objs=$(attached_objects $cap_pid) || exit 1
	expect_eq "child processes of the capture" "" "$(ps -o pid= --ppid $cap_pid)"
}

# follow_capture PIDFILE: a capture a wrapper shell started, by the pid it wrote there (at most
# 10 s); sets $cap_pid and $objs.
follow_capture() {
	wait_for 10 "a capture pid in $1" test -s "$1"
	cap_pid=$(cat "$1")
	at_exit "kill -9 $cap_pid"
	objs=$(attached_objects $cap_pid) || exit 1
}

# expect_connect WHAT FILE: tshark reads FILE whole, and the client's connect is in it.
expect_connect() {
	tshark -r "$2" >/dev/null 2>"$TMP/tshark.err" || fail "$1: tshark cannot read the file: $(cat "$TMP/tshark.err")"
	expect_eq "$1: the client's connect in a file tshark reads" 1 \
		"$(tshark_fields "$2" -Y "ebpf.type == \"TCP_Connect\" && ebpf.dstport == $port" -e ebpf.pid | grep -cx "$client")"
}

# A process that is not our child: gone (or a zombie) within 5 s.
expect_gone() {
	wait_for 5 "$1: process $2 to end" ended $2
	ok "$1: the capture ended"
}

# Signals: the events the kernel saw before the signal are written (no sleep needed).
for sig in INT TERM HUP; do
	start_capture "$TMP/$sig.pcapng"
	open_gate
	kill -$sig $cap_pid
	reap $cap_pid
	expect_eq "SIG$sig: exit status" 0 "$status"
	expect_released "SIG$sig" "$objs"
	expect_connect "SIG$sig" "$TMP/$sig.pcapng"
	[ -s "$TMP/err" ] && fail "SIG$sig: stderr not empty: $(cat "$TMP/err")"
done

# An explicit SIGPIPE is ignored (a broken pipe is seen as EPIPE instead): the capture goes on.
start_capture "$TMP/pipe.pcapng"
kill -PIPE $cap_pid
open_gate
kill -TERM $cap_pid
reap $cap_pid
expect_eq "after SIGPIPE, SIGTERM: exit status" 0 "$status"
expect_connect "after SIGPIPE" "$TMP/pipe.pcapng"
expect_released "after SIGPIPE" "$objs"

# kill -9: the kernel objects are owned by descriptors and die with the process;
# the file holds whatever was flushed, whole blocks only (killed once the connect is in).
start_capture "$TMP/kill9.pcapng"
open_gate
connect_written() { $EBPFCAP -r "$TMP/kill9.pcapng" 2>/dev/null | grep -q "TCP_Connect .*($client)"; }
wait_for -p $cap_pid 5 "kill -9: the connect to be written" connect_written
kill -9 $cap_pid
reap $cap_pid
expect_released "kill -9" "$objs"
expect_connect "kill -9" "$TMP/kill9.pcapng"

# The reader of the fifo goes away (Wireshark's stop button closes it).
mkfifo "$TMP/fifo"
head -c 300 "$TMP/fifo" >/dev/null &
start_capture "$TMP/fifo"
open_gate # events to write: the header alone may be shorter than what head wants
reap $cap_pid 5
expect_eq "reader gone: exit status" 0 "$status"
expect_released "reader gone" "$objs"

# The same through a pipe: `ebpfcap -w - | head` ends when head does.
gate_traffic
sh -c "$EBPFCAP -w - --pid $gen 2>'$TMP/err' & echo \$! >'$TMP/pipe.pid'; wait" | head -c 300 >/dev/null &
pipeline=$!
follow_capture "$TMP/pipe.pid"
open_gate
reap $pipeline 5
expect_gone "pipe reader gone" $cap_pid
expect_released "pipe reader gone" "$objs"
[ -s "$TMP/err" ] && fail "pipe reader gone: stderr not empty: $(cat "$TMP/err")"

# The parent (Wireshark) dies without a word: PR_SET_PDEATHSIG ends us too,
# and the fifo's reader gets a pcapng it can read.
mkfifo "$TMP/fifo2"
cat "$TMP/fifo2" >"$TMP/orphan.pcapng" &
reader=$!
gate_traffic
sh -c "$EBPFCAP --extcap-interface ebpfevents --capture --fifo '$TMP/fifo2' --pid $gen 2>/dev/null & echo \$! >'$TMP/orphan.pid'; wait" &
parent=$!
follow_capture "$TMP/orphan.pid"
open_gate
kill -9 $parent
expect_gone "parent death" $cap_pid
expect_released "parent death" "$objs"
reap $reader 5
expect_connect "parent death" "$TMP/orphan.pcapng"
