# The plugin decodes a committed-by-generator capture exactly as expected,
# field by field, and its filters work for every kind of field.
. test/lib.sh
$BUILD/test/gen_records all "$TMP/all.pcapng" || fail "gen_records"
args=$(for f in $(cat test/data/all_types.fields.list); do printf -- '-e %s ' "$f"; done)
TZ=UTC tshark -r "$TMP/all.pcapng" -T fields -E header=y -E separator='|' $args -e _ws.col.Info \
	>"$TMP/fields.txt" 2>"$TMP/err" || fail "tshark: $(cat "$TMP/err")"
diff -u test/data/all_types.fields.txt "$TMP/fields.txt" || fail "decoded fields differ from test/data/all_types.fields.txt"
ok "all 42 fields of 18 records (every type, IPv4 and IPv6) as expected"
TZ=UTC tshark -r "$TMP/all.pcapng" -V -O ebpf >"$TMP/verbose.txt" 2>/dev/null
diff -u test/data/all_types.verbose.txt "$TMP/verbose.txt" || fail "the -V tree differs from test/data/all_types.verbose.txt"
ok "the whole -V tree of 18 records as expected"

# count FILTER EXPECTED
count() {
	n=$(tshark -r "$TMP/all.pcapng" -Y "$1" 2>/dev/null | wc -l)
	expect_eq "records matching '$1'" "$2" "$n"
}
count 'ebpf.type == "TCP_Connect"' 2
count 'ebpf.comm == "curl"' 18
count 'ebpf.src == 10.0.0.1' 9
count 'ebpf.dst6 == fd00::2' 9
count 'ebpf.src == 10.0.0.0/8 && ebpf.dstport == 8080' 9
count 'ebpf.pod == "web-7f9c" && ebpf.namespace == "shop"' 18
count 'ebpf.flags.reset == 1' 2
count 'ebpf.error == 111' 2
count 'ebpf.drops > 0' 2
count 'ebpf.latency >= 53 && ebpf.proto == 6' 2
count 'ip.src == 10.0.0.1' 0
count '_ws.expert.group == "Sequence"' 6

# Conversations and Endpoints have an eBPFFlow tab: each event is a frame of its flow.
tshark -r "$TMP/all.pcapng" -q -z conv,ebpf 2>/dev/null >"$TMP/conv.txt"
grep -qE '^10\.0\.0\.1 +<-> 10\.0\.0\.2 .* 5420 bytes' "$TMP/conv.txt" || fail "no eBPFFlow conversation with the close's 5420 bytes: $(cat "$TMP/conv.txt")"
expect_eq "eBPFFlow conversations (every generated record has its own flow)" 18 "$(grep -c '<->' "$TMP/conv.txt")"
tshark -r "$TMP/all.pcapng" -q -z endpoints,ebpf 2>/dev/null | grep -q '^fd00::2 ' || fail "no eBPFFlow endpoint fd00::2"
ok "Statistics > Conversations and Endpoints list the events' flows"
tshark -r "$TMP/all.pcapng" -q -z ebpfflow_proc,tree 2>/dev/null >"$TMP/stats.txt"
grep -q '^ curl(1003) *5420 ' "$TMP/stats.txt" || fail "Processes statistics lack curl(1003)'s 5420 bytes: $(cat "$TMP/stats.txt")"
ok "Statistics > eBPFFlow > Processes counts bytes per process"

# The tree: subtrees and units a person reads.
TZ=UTC tshark -r "$TMP/all.pcapng" -V -Y 'frame.number == 4' 2>/dev/null >"$TMP/tree.txt"
for line in '    Process' '        Executable: /usr/bin/curl' '    Container' '        Pod: web-7f9c' \
	'        Duration (us): 1200000' '    Flags: 0x01, Ended by RST' '        Interface: eth0'; do
	grep -qx -- "$line" "$TMP/tree.txt" || fail "tree lacks '$line'"
done
ok "protocol tree has the Process, Flow, Container subtrees"
