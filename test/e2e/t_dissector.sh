# The plugin decodes a generated capture (gen_records all: every type, IPv4
# and IPv6, in a pod, in a container, on the host, without owner) exactly as
# expected, field by field and as a -V tree; its filters, statistics,
# conversation tables and the eBPF profile work.
. test/helpers/lib.sh

# Golden files are Wireshark 4.0's words. Later tshark prints the same fields its own
# way (make compat runs this with 4.4 and 4.6): booleans True/False, absolute times in
# ISO 8601, header names lower case, "Frame N: Packet, ..." in the tree, "eBPFFlow /
# Processes:" as the statistics' title. Only that is
# rewritten to 4.0's form; every value is still compared.
as_4_0_fields() {
	awk -F'|' -v OFS='|' 'BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ") }
	NR == 1 { sub(/_ws\.col\.info$/, "_ws.col.Info") }
	NR > 1 { for (i = 1; i <= NF; i++) {
		if ($i == "True") $i = 1; else if ($i == "False") $i = 0
		else if ($i ~ /^[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9:.]+\+0000$/)
			$i = mon[substr($i, 6, 2) + 0] " " substr($i, 9, 2) ", " substr($i, 1, 4) " " substr($i, 12, length($i) - 16) " UTC"
	} } { print }'
}
as_4_0_tree() { sed 's/^\(Frame [0-9]*:\) Packet, /\1 /'; }

# Wireshark knows it for a dissector plugin (4.2+ ask plugin_describe(); without it 4.4 and 4.6 say "unknown").
tshark -G plugins 2>/dev/null | grep -q '^ebpfflow.so[[:space:]].*[[:space:]]dissector[[:space:]]' ||
	fail "tshark -G plugins: $(tshark -G plugins 2>/dev/null | grep ebpfflow)"
ok "tshark $(tshark --version | sed -n '1s/.* \([0-9][0-9.]*[0-9]\).*/\1/p') lists ebpfflow.so as a dissector plugin"

$BUILD/test/gen_records all "$TMP/all.pcapng" || fail "gen_records"
args=$(for f in $(cat test/data/all_types.fields.list); do printf -- '-e %s ' "$f"; done)
TZ=UTC tshark -r "$TMP/all.pcapng" -T fields -E header=y -E separator='|' $args -e _ws.col.Info \
	2>"$TMP/err" | as_4_0_fields >"$TMP/fields.txt"
[ -s "$TMP/fields.txt" ] || fail "tshark: $(cat "$TMP/err")"
diff -u test/data/all_types.fields.txt "$TMP/fields.txt" || fail "decoded fields differ from test/data/all_types.fields.txt"
ok "$(wc -w <test/data/all_types.fields.list) fields and Info of 22 records as expected"
TZ=UTC tshark -r "$TMP/all.pcapng" -V -O ebpf 2>/dev/null | as_4_0_tree >"$TMP/verbose.txt"
diff -u test/data/all_types.verbose.txt "$TMP/verbose.txt" || fail "the -V tree differs from test/data/all_types.verbose.txt"
ok "the whole -V tree of 22 records as expected"

# count FILTER EXPECTED
count() {
	n=$(tshark -r "$TMP/all.pcapng" -Y "$1" 2>"$TMP/err" | wc -l)
	[ -s "$TMP/err" ] && grep -v 'Running as user' "$TMP/err" | grep . && fail "filter '$1' refused"
	expect_eq "records matching '$1'" "$2" "$n"
}
count 'ebpf.type == "TCP_Connect"' 2
count 'ebpf.type == "Capture_Drops"' 2
count 'ebpf.type == "TCP_Listen" && ebpf.tcp_state == "LISTEN" && ebpf.dstport == 0' 2
count 'ebpf.comm == "curl"' 11
count 'ebpf.comm == "nginx" && ebpf.pid == 77' 7
count 'ebpf.src == 10.0.0.1' 11
count 'ebpf.src6 == ::1' 10
count 'ebpf.dst6 == fd00::2' 9
count 'ebpf.addr6 == ::1' 10
count 'ebpf.addr == 10.0.0.2' 10
count 'ebpf.addr == 10.0.0.0/24' 11
count 'ebpf.addr6 == fd00::/8' 9
count 'ebpf.src == 10.0.0.0/8 && ebpf.dstport == 8080' 10
count 'ebpf.pod == "web-7f9c" && ebpf.namespace == "shop"' 11
count 'ebpf.container.name == "edge-proxy" && !ebpf.pod' 7
count 'ebpf.pid == 500 && !ebpf.container.id' 2
count 'ebpf.flags.reset == 1' 2
count 'ebpf.flags.no_owner == 1' 1
count 'ebpf.error == 111' 2
count 'ebpf.tcp_state == "SYN_SENT"' 4
count 'ebpf.proto == "UDP"' 4
count 'ebpf.drops == 4000 && ebpf.host == "node-2"' 1
count 'ebpf.type == "TCP_Handoff" && ebpf.prev.pid == 900 && ebpf.prev.comm == "sshd"' 2
count 'ebpf.acceptor.pid == 900 && ebpf.acceptor.comm == "sshd"' 4
count 'ebpf.type == "TCP_Accept" && ebpf.acceptor.pid == 0' 2
count 'ebpf.latency >= 53 && ebpf.proto == 6' 2
count 'ip.src == 10.0.0.1' 0
count '_ws.expert.group == "Sequence"' 6
count '_ws.expert.severity == "Warning"' 6
count '_ws.malformed' 0

# Conversations and Endpoints have an eBPFFlow tab: each event is a frame of its flow.
tshark -r "$TMP/all.pcapng" -q -z conv,ebpf 2>/dev/null >"$TMP/conv.txt"
grep -qE '^10\.0\.0\.1 +<-> 10\.0\.0\.2 +0 300 bytes +1 5120 bytes +1 5420 bytes ' "$TMP/conv.txt" ||
	fail "no eBPFFlow conversation with the close's 5120 bytes out and 300 in: $(cat "$TMP/conv.txt")"
expect_eq "eBPFFlow conversations (each record with addresses has its own ports)" 19 "$(grep -c '<->' "$TMP/conv.txt")"
tshark -r "$TMP/all.pcapng" -q -z endpoints,ebpf 2>/dev/null | grep -q '^fd00::2 ' || fail "no eBPFFlow endpoint fd00::2"
ok "Statistics > Conversations and Endpoints list the events' flows"

# Statistics > eBPFFlow > Processes: names and counts (the first two columns) as expected.
tshark -r "$TMP/all.pcapng" -q -z ebpfflow_proc,tree 2>/dev/null | cut -c1-46 | sed 's/ *$//' |
	sed 's#^eBPFFlow / Processes:#eBPFFlow/Processes:#' >"$TMP/stats.txt" # 4.4+ spaces the title
diff -u test/data/all_types.processes.txt "$TMP/stats.txt" || fail "Processes statistics differ from test/data/all_types.processes.txt"
ok "Statistics > eBPFFlow > Processes counts events, bytes and connections per process and per pod"

# The tree: subtrees and units a person reads.
TZ=UTC tshark -r "$TMP/all.pcapng" -V -Y 'frame.number == 4' 2>/dev/null >"$TMP/tree.txt"
for line in '    Process: curl(1003)' '        Executable: /usr/bin/curl' '    Container: pod shop/web-7f9c' \
	'        Pod: web-7f9c' '    Flow: TCP 10.0.0.1:40003 → 10.0.0.2:8080' '        Duration: 1200000µs' '        Bytes sent: 5120 bytes' \
	'    Flags: 0x01, Ended by RST' '        Interface: eth0' '    Host: node-1'; do
	grep -qx -- "$line" "$TMP/tree.txt" || fail "tree lacks '$line'"
done
TZ=UTC tshark -r "$TMP/all.pcapng" -V -Y 'frame.number == 15' 2>/dev/null | grep -q '^    Container' &&
	fail "a host process's record shows a Container subtree"
ok "protocol tree has titled Process, Flow, Container and Host subtrees, Container only when there is one"

# No address masquerade: the Source and Destination columns show the flow's ends, but the
# frame's own addresses and ports (network-layer and port columns) are not the flow's.
# One column at a time, from tshark's line output: 4.2+ have no _ws.col.<title> fields.
first_record_column() { # FORMAT
	tshark -r "$TMP/all.pcapng" -c 1 -o "gui.column.format:\"c\",\"$1\"" 2>/dev/null | sed 's/^ *//; s/ *$//'
}
expect_eq "columns of a record: flow ends as Source/Destination, no packet addresses or ports" "10.0.0.1|10.0.0.2|||" \
	"$(first_record_column %s)|$(first_record_column %d)|$(first_record_column %rns)|$(first_record_column %uS)|$(first_record_column %uD)"

# The eBPF profile as written in dissector/profile/eBPF: its columns and coloring rules.
mkdir -p "$TMP/cfg/profiles" "$TMP/empty" && cp -r dissector/profile/eBPF "$TMP/cfg/profiles/"
columns() { # CONFIG_DIR: the first line as tshark shows it (4.2+ no longer have _ws.col.<title> fields)
	WIRESHARK_CONFIG_DIR="$1" tshark -C eBPF -r "$TMP/all.pcapng" -c 1 2>/dev/null |
		awk -v OFS='|' '{ print $3, $4, $5, $6, $7, $8 }'
}
expect_eq "eBPF profile columns of the first record" "TCP_Connect|curl|1000|33|k8s_web_web-7f9c_shop_0|web-7f9c" \
	"$(columns "$TMP/cfg")"
expect_eq "eBPF profile coloring rules, frame by frame" \
	"$(printf '%s;' 'eBPF connection opened' 'eBPF connect failed' 'eBPF connection opened' 'eBPF ended by RST' \
		'eBPF retransmission' 'eBPF UDP' 'eBPF UDP' 'eBPF event' 'eBPF events lost' 'eBPF connection opened' \
		'eBPF connect failed' 'eBPF connection opened' 'eBPF ended by RST' 'eBPF retransmission' 'eBPF UDP' \
		'eBPF UDP' 'eBPF owner unknown' 'eBPF events lost' 'eBPF event' 'eBPF event' 'eBPF event' 'eBPF event')" \
	"$(WIRESHARK_CONFIG_DIR="$TMP/cfg" tshark -C eBPF --color -r "$TMP/all.pcapng" -T fields \
		-e frame.coloring_rule.name 2>/dev/null | tr '\n' ';')"
# make install puts it among the global profiles, where a personal configuration finds it.
expect_eq "installed eBPF profile columns" "TCP_Connect|curl|1000|33|k8s_web_web-7f9c_shop_0|web-7f9c" \
	"$(columns "$TMP/empty")"
