# Our pcapng as Wireshark reads it: nanosecond times (also across the 32-bit
# boundary of the low timestamp word), lengths, interfaces, comments (an
# empty one is none), two link types in one file. The sample is written by
# build/test/unit_pcapng --write; its bytes are checked there.
. test/helpers/lib.sh
$BUILD/test/unit_pcapng --write "$TMP/sample.pcapng" >"$TMP/write.log" || fail "writing the sample: $(cat "$TMP/write.log")"
# '|' between fields: tshark 4.6 escapes a separator inside a value ("a\\ comment").
tshark -r "$TMP/sample.pcapng" -T fields -E separator='|' -e frame.number -e frame.time_epoch \
	-e frame.cap_len -e frame.len -e frame.interface_name -e frame.comment >"$TMP/out.txt" 2>"$TMP/err" \
	|| fail "tshark: $(cat "$TMP/err")"
cat >"$TMP/want.txt" <<'W'
1|1700000000.123456789|3|3|ebpfevents|
2|1700000000.123457789|5|10|ebpfevents|a comment
3|1700000003.386245119|4|4|ebpfevents|
4|1700000003.386245120|1|1|ebpfevents|
5|1700000000.123458789|14|14|eth0|on eth0
W
diff -u "$TMP/want.txt" "$TMP/out.txt" || fail "tshark reads our pcapng differently"
ok "tshark reads times, lengths, interfaces and comments exactly"

# tshark says nothing about the file on stderr (a damaged block would be reported there).
grep -v '^Running as user' "$TMP/err" | grep . && fail "tshark complained: $(cat "$TMP/err")"
ok "tshark reads the file without a complaint"

command -v capinfos >/dev/null || { ok "capinfos not installed: skipped"; exit 0; }
# capinfos 4.4+ says Earliest/Latest where 4.0 says First/Last.
capinfos "$TMP/sample.pcapng" 2>"$TMP/err" | sed 's/  */ /g; s/^Earliest packet/First packet/; s/^Latest packet/Last packet/' \
	>"$TMP/info.txt" || fail "capinfos: $(cat "$TMP/err")"
for line in \
	'File type: Wireshark/... - pcapng' \
	'File encapsulation: Per packet' \
	' Ethernet (1)' \
	' Wireshark Upper PDU export (4)' \
	'File timestamp precision: nanoseconds (9)' \
	'Number of packets: 5' \
	'First packet time: 2023-11-14 22:13:20.123456789' \
	'Last packet time: 2023-11-14 22:13:23.386245120' \
	'Capture application: unit test' \
	'Number of interfaces in file: 2' \
	' Name = ebpfevents' \
	' Description = eBPF Events' \
	' Encapsulation = Wireshark Upper PDU export (155 - wireshark-upper-pdu)' \
	' Name = eth0' \
	' Encapsulation = Ethernet (1 - ether)' \
	' Capture length = 262144' \
	' Time ticks per second = 1000000000'
do
	grep -qxF "$line" "$TMP/info.txt" || { cat "$TMP/info.txt"; fail "capinfos does not say '$line'"; }
done
[ "$(grep -cxF ' Time resolution = 0x09' "$TMP/info.txt")" = 2 ] || fail "if_tsresol is not 9 on both interfaces"
ok "capinfos: pcapng, two interfaces of two link types, nanosecond resolution, 5 packets"
