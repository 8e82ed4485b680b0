# Wireshark 4.7+'s graceful stop through the extcap control pipe. No
# Wireshark 4.7 GUI runs here: this test plays Wireshark's side as master's
# extcap.c does, byte for byte. For an extcap that declares {control=2},
# extcap_init_interfaces() makes the pipe and passes it as
# --extcap-control-in; extcap_request_stop() queues the quit message
# { 'Q', 0, 0, 0 } instead of sending SIGTERM; msg_queue_dispatch() opens the
# pipe O_WRONLY|O_NONBLOCK (retrying every 0.5 s) and extcap_control_out_cb()
# writes each message with one write() and closes the pipe after the quit;
# an extcap still running 30 s later is killed (extcap_terminate_cb()).
# The capture must then end as on SIGTERM: exit 0, every event written and a
# pcapng whose last block is whole, nothing of ours left in the kernel.
# Before the quit, messages it does not know (and toolbar messages: it
# declares no toolbar) are ignored.
. test/helpers/lib.sh

# Wireshark's end of the control pipe: one message per line of hex on standard
# input, each written whole; closed at the end of the input.
WIRESHARK_SIDE='
import errno, os, sys, time
deadline = time.monotonic() + 30
while True:
    try:
        fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError as e:
        if e.errno not in (errno.ENXIO, errno.EAGAIN) or time.monotonic() > deadline:
            raise
        time.sleep(0.5)
for line in sys.stdin:
    msg = bytes.fromhex(line.strip())
    if os.write(fd, msg) != len(msg):
        sys.exit("short write")
os.close(fd)
'

out=$($EBPFCAP --extcap-interfaces --extcap-version=4.7)
echo "$out" | grep -q '^extcap {version=[0-9.]*}.*{control=2}$' || fail "no {control=2} in the extcap sentence: $out"
ok "--extcap-interfaces declares {control=2}: Wireshark 4.7+ asks for the stop on the pipe"

mkfifo "$TMP/fifo" "$TMP/control" "$TMP/messages"
cat "$TMP/fifo" >"$TMP/cap.pcapng" & # dumpcap's part: reads the capture to its end
reader=$!
at_exit "kill -9 $reader"
gate_traffic
$EBPFCAP --capture --extcap-interface ebpfevents --fifo "$TMP/fifo" --extcap-control-in "$TMP/control" \
	--pid $gen 2>"$TMP/err" &
cap=$!
at_exit "kill -9 $cap"
objs=$(attached_objects $cap) || exit 1
python3 -c "$WIRESHARK_SIDE" "$TMP/control" <"$TMP/messages" &
wireshark=$!
at_exit "kill -9 $wireshark"
exec 3>"$TMP/messages"

# A message type nobody defined, with a payload, and a toolbar "Initialized" (control 0, command 0).
echo "58000005 68656c6c6f" >&3
echo "54000002 0000" >&3
open_gate
i=0
until $EBPFCAP -r "$TMP/cap.pcapng" 2>/dev/null | grep -q "TCP_Connect .*($client)"; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "after the unknown messages the connect was not written within 10 s"
	sleep 0.1
done
kill -0 $cap 2>/dev/null || fail "the capture ended on messages it should ignore: $(cat "$TMP/err")"
ok "unknown and toolbar messages ignored: the capture goes on and writes the connect"

# The stop, as extcap_request_stop() asks it. Well within Wireshark's 30 s before SIGKILL.
echo "51000000" >&3
exec 3>&-
reap $cap 20
expect_eq "exit status after the quit message" 0 "$status"
reap $wireshark 5
expect_eq "Wireshark's side wrote every message" 0 "$status"
expect_released "quit message" "$objs"
reap $reader 5
[ -s "$TMP/err" ] && fail "stderr not empty: $(cat "$TMP/err")"

# The file is whole (tshark reads it to its last block without a word) and holds the events.
tshark -r "$TMP/cap.pcapng" >"$TMP/frames" 2>"$TMP/tshark.err" || fail "tshark cannot read the capture: $(cat "$TMP/tshark.err")"
grep -v 'Running as user' "$TMP/tshark.err" | grep . && fail "tshark warns about the capture"
$EBPFCAP -r "$TMP/cap.pcapng" >"$TMP/lines" 2>"$TMP/read.err" || fail "ebpfcap -r: $(cat "$TMP/read.err")"
grep -q "TCP_Connect .*($client)" "$TMP/lines" || fail "the client's connect is not in the capture"
grep -q "TCP_Close .*($client)" "$TMP/lines" || fail "the client's close is not in the capture"
ok "a whole pcapng: $(wc -l <"$TMP/frames") frames, the client's connect and close"
