# The extcap protocol as Wireshark speaks it, and bad input: one line, non-zero exit.
. test/helpers/lib.sh

tshark -D 2>/dev/null | grep -q 'ebpfevents (eBPF Events)$' || fail "tshark -D does not list 'ebpfevents (eBPF Events)'"
ok "tshark -D lists ebpfevents (eBPF Events)"

# Every Wireshark from 2.9 on asks --extcap-interfaces --extcap-version=MAJOR.MINOR (extcap.c:
# extcap_load_interface_list()); the tshark here is one of them (4.0, 4.4 or 4.6 in make compat).
ws=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$ws" ] || fail "no version in: $(tshark --version 2>/dev/null | head -1)"
for asked in "--extcap-version=$ws" "--extcap-version=4.7" "--extcap-version $ws"; do
	out=$($EBPFCAP --extcap-interfaces $asked)
	echo "$out" | grep -q '^extcap {version=[0-9.]*}.*{control=2}$' || fail "$asked: no extcap sentence: $out"
	echo "$out" | grep -qx 'interface {value=ebpfevents}{display=eBPF Events}' || fail "$asked: no interface line: $out"
done
ok "--extcap-interfaces, asked as Wireshark $ws and 4.7 ask"
expect_eq "--extcap-version alone: the extcap sentence" "$(echo "$out" | head -1)" "$($EBPFCAP --extcap-version=$ws)"

expect_eq "dlt" 'dlt {number=252}{name=WIRESHARK_UPPER_PDU}{display=eBPF events (exported PDU)}' \
	"$($EBPFCAP --extcap-interface ebpfevents --extcap-dlts)"
$EBPFCAP --extcap-interface ebpfevents --extcap-config | grep -q '{call=--pid}' || fail "config lacks --pid"
ok "--extcap-config"
iface=$($EBPFCAP --extcap-interfaces | sed -n 's/^interface {value=\(ebpf_[^}]*\)}.*packets and eBPF events.*/\1/p' | head -1)
[ -n "$iface" ] || fail "no host interface offered"
$EBPFCAP --extcap-interface "$iface" --extcap-config | grep -q '{call=--reorder-window}' || fail "$iface config lacks --reorder-window"
ok "$iface: --extcap-config offers the reorder window"

# Wireshark checks a capture filter by asking: nothing on stdout means valid.
expect_eq "valid capture filter" "" "$($EBPFCAP --extcap-interface "$iface" --extcap-capture-filter 'tcp port 80')"
expect_eq "invalid capture filter" "can't parse filter expression: syntax error" \
	"$($EBPFCAP --extcap-interface "$iface" --extcap-capture-filter 'tcp port')"
$EBPFCAP --extcap-interface ebpfevents --extcap-capture-filter 'tcp' | grep -q "do not apply" ||
	fail "a capture filter on eBPF Events is not refused"
ok "a capture filter on eBPF Events is refused"

expect_error "unknown interface (dlts)" "unknown interface 'eth99'" $EBPFCAP --extcap-interface eth99 --extcap-dlts
expect_error "unknown interface (capture)" "unknown interface 'eth99'" $EBPFCAP --extcap-interface eth99 --capture --fifo "$TMP/f"
expect_error "unknown option" "unrecognized option '--frobnicate'" $EBPFCAP --frobnicate
expect_error "missing fifo dir" "cannot open output '$TMP/nodir/fifo'" $EBPFCAP --extcap-interface ebpfevents --capture --fifo "$TMP/nodir/fifo"
expect_error "bad pid" "--pid wants a process id" $EBPFCAP --capture --fifo "$TMP/f" --pid 12x
expect_error "bad event type" "unknown event type 'TCP_Bogus'" $EBPFCAP -w "$TMP/f" --event-types TCP_Connect,TCP_Bogus
expect_error "capture filter" "capture filters do not apply" $EBPFCAP --extcap-interface ebpfevents --capture --fifo "$TMP/f" --extcap-capture-filter "tcp port 80"
expect_error "unreadable file" "cannot read '$TMP/none'" $EBPFCAP -r "$TMP/none"
echo garbage >"$TMP/garbage"
expect_error "not pcapng" "not a little-endian pcapng file" $EBPFCAP -r "$TMP/garbage"
expect_no_programs
