# The Remote eBPF Events (ZMQ) interface as Wireshark runs it: tshark lists
# it, starts it with its config options (-o extcap.ebpfremote.*), and the
# plugin decodes the records of several hosts. tshark runs this build's
# ebpfcap from a personal extcap directory (WIRESHARK_CONFIG_DIR), which
# tshark prefers to the installed one. Loopback only.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
[ -x "$PEER" ] || fail "$PEER is missing (make all)"
$EBPFCAP --extcap-interfaces | grep -q '{value=ebpfremote}' ||
	fail "ebpfcap does not offer the ebpfremote interface (extcap/remote.c not wired into main/options/extcap yet?)"
export WIRESHARK_CONFIG_DIR=$TMP/wireshark
mkdir -p "$WIRESHARK_CONFIG_DIR/extcap"
ln -s "$(realpath "$EBPFCAP")" "$WIRESHARK_CONFIG_DIR/extcap/ebpfcap"

tshark -D 2>/dev/null | grep -q 'ebpfremote (Remote eBPF Events (ZMQ))$' || fail "tshark -D does not list ebpfremote"
ok "tshark -D lists ebpfremote (Remote eBPF Events (ZMQ))"

base=$((20000 + $$ % 1500 * 8 + 6))
ep1=tcp://127.0.0.1:$base
ep2=tcp://127.0.0.1:$((base + 1))

# capture NAME TSHARK_ARGS...: two exporters (300 and 200 records) into tshark
capture() {
	name=$1; shift
	$PEER send "$ep1" wsA 300 --rate 300 --wait-ms 10000 >/dev/null & a=$!
	$PEER send "$ep2" wsB 200 --rate 200 --wait-ms 10000 >/dev/null & b=$!
	at_exit "kill -9 $a $b"
	timeout 30 tshark -i ebpfremote -o "extcap.ebpfremote.remoteendpoints:$ep1,$ep2" "$@" \
		-a duration:7 -w "$TMP/$name.pcapng" 2>"$TMP/$name.err" || fail "tshark failed: $(cat "$TMP/$name.err")"
	wait $a $b
}

capture all
expect_eq "wsA records through tshark" 300 "$(tshark_fields "$TMP/all.pcapng" -Y 'ebpf.host == "wsA"' -e ebpf.pid | wc -l)"
expect_eq "wsB records through tshark" 200 "$(tshark_fields "$TMP/all.pcapng" -Y 'ebpf.host == "wsB"' -e ebpf.pid | wc -l)"
expect_eq "wsB's last pid" 200 "$(tshark_fields "$TMP/all.pcapng" -Y 'ebpf.host == "wsB"' -e ebpf.pid | sort -n | tail -1)"

# The interface's filter options apply to remote records too (types cycle by 4).
capture connects -o "extcap.ebpfremote.eventtypes:TCP_Connect"
expect_eq "only TCP_Connect (type 1) with eventtypes:TCP_Connect" "125 1" \
	"$(tshark_fields "$TMP/connects.pcapng" -e ebpf.type | sort | uniq -c | awk '{print $1, $2}')"
