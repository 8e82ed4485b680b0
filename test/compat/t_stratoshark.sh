# Stratoshark (Debian sid's 0.9.9, on Wireshark 4.6's libraries), run by make
# compat in the sid chroot: it loads epan plugins from Wireshark's own plugin
# directory, so eBPFFlow decodes there as in tshark; it runs extcaps from its
# own directory (/usr/libexec/stratoshark/extcap), where make install links
# ebpfcap, so eBPF Events is among its interfaces. Debian's `strato` CLI is
# built without capture ("not built with support for capturing events"), so
# a live capture is made by ebpfcap itself and read with strato; if a strato
# can capture, it captures through ebpfcap here.
. test/helpers/lib.sh
command -v strato >/dev/null || fail "no strato (make compat installs stratoshark in sid)"
strato -G plugins 2>/dev/null >"$TMP/plugins"
grep -q '^ebpfflow.so.*/epan/ebpfflow.so$' "$TMP/plugins" || fail "strato does not load the plugin: $(cat "$TMP/plugins")"
grep -q '^ebpfcap.*External Capture.*/stratoshark/extcap/ebpfcap$' "$TMP/plugins" ||
	fail "strato does not list the extcap in its extcap directory: $(cat "$TMP/plugins")"
ok "strato loads ebpfflow.so and lists ebpfcap as an external capture"

# Every record of every type decodes as tshark decodes it.
$BUILD/test/gen_records all "$TMP/all.pcapng" || fail "gen_records"
args=$(for f in $(cat test/data/all_types.fields.list); do printf -- '-e %s ' "$f"; done)
TZ=UTC tshark -r "$TMP/all.pcapng" -T fields -E separator='|' $args -e _ws.col.Info >"$TMP/tshark.txt" 2>/dev/null
TZ=UTC strato -r "$TMP/all.pcapng" -T fields -E separator='|' $args -e _ws.col.Info >"$TMP/strato.txt" 2>/dev/null
records=$(grep -c . test/data/all_types.fields.txt) # with its header line: one more than the records
records=$((records - 1))
[ "$(wc -l <"$TMP/strato.txt")" -eq $records ] || fail "strato decoded $(wc -l <"$TMP/strato.txt") of $records records"
diff -u "$TMP/tshark.txt" "$TMP/strato.txt" || fail "strato decodes the records differently from tshark"
ok "strato decodes $records records of every type, every field as tshark"

# A live capture of known loopback connections, read by strato.
PORT=$((31000 + $$ % 4000))
if strato -D 2>&1 | grep -q 'ebpfevents'; then
	strato -i ebpfevents -a duration:4 -w "$TMP/live.pcapng" 2>"$TMP/cap.err" & cap=$!
	how="strato -i ebpfevents"
else
	ok "strato cannot capture: $(strato -D 2>&1 | grep -m1 'not built')"
	$EBPFCAP -i ebpfevents -w "$TMP/live.pcapng" --port $PORT 2>"$TMP/cap.err" & cap=$!
	how="ebpfcap -w"
fi
at_exit "kill $cap"
wait_attached
TRAFFIC_PORT=$PORT $TRAFFIC tcp 2 >"$TMP/traffic.out" || fail "traffic"
client=$(field "$(cat "$TMP/traffic.out")" client_pid)
sleep 0.5
[ "$how" = "ebpfcap -w" ] && kill -TERM $cap
reap $cap 10
expect_eq "TCP_Connect of the client (pid $client) read by strato from $how" 2 \
	"$(strato -r "$TMP/live.pcapng" -Y "ebpf.type == \"TCP_Connect\" && ebpf.pid == $client && ebpf.dstport == $PORT" 2>/dev/null | wc -l)"
expect_no_programs
