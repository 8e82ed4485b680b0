# Wireshark 5.0's own process columns from a live capture: on ebpf_lo with
# --process-blocks, every packet whose owner ebpfcap knows carries that
# process in epb_processid_threadid (option 8) - the sender's, the pid its
# comment names first - and each such process is described once, before its
# first packet, in a Wireshark process information block, with its start
# time. Ground truth: the pids the traffic generator prints, and when it
# ran. No Wireshark 5.0 runs here: the blocks are read by pcapio's reader
# (written from Wireshark's wiretap source and checked against Wireshark's
# own test data by unit_process_info); the
# tshark installed (4.0, 4.4 or 4.6 in make compat) must read the same file
# without a warning and show every packet and comment as before.
. test/helpers/lib.sh
OWNERS="$BUILD/test/unit_process_info --owners"
PORT=$((30000 + $$ % 5000))

$EBPFCAP -i ebpf_lo -w "$TMP/cap.pcapng" --process-blocks "tcp port $PORT" 2>"$TMP/cap.err" &
cap=$!
at_exit "kill $cap"
wait_attached
t0=$(date +%s%N)
TRAFFIC_PORT=$PORT $TRAFFIC tcp 3 >"$TMP/traffic.out" || fail "traffic"
t1=$(date +%s%N)
client=$(field "$(cat "$TMP/traffic.out")" client_pid) server=$(field "$(cat "$TMP/traffic.out")" server_pid)
sleep 0.3
kill -TERM $cap
reap $cap
expect_eq "capture exit status" 0 "$status"

$OWNERS "$TMP/cap.pcapng" >"$TMP/owners.txt" || fail "pcapio cannot read the capture: $(cat "$TMP/owners.txt")"
# The records of events are blocks too (of the events interface), without owners.
tshark -r "$TMP/cap.pcapng" -Y tcp -T fields -e frame.comment >"$TMP/comments" 2>"$TMP/tshark.err"
packets=$(wc -l <"$TMP/comments")
[ "$packets" -ge 30 ] || fail "only $packets packets of 3 connections: $(cat "$TMP/cap.err")"
# comment <TAB> pid tid <TAB> name uid=N path start=NS <TAB> block comment; the pid the comment names first.
awk -F'\t' 'NF == 4 {
	if ($1 == "-") { if ($2 != "-") bad++; next }
	owned++
	match($1, /\([0-9]+\)/); first = substr($1, RSTART + 1, RLENGTH - 2)
	split($2, pt, " ")
	if (pt[1] != first) wrong++
	if ($3 == "-") undescribed++
	split($1, who, "("); sub(/^(src|dst) /, "", who[1])
	if (substr($3, 1, length(who[1]) + 1) != who[1] " ") misnamed++
} END { printf "%d %d %d %d %d\n", owned, wrong, undescribed, misnamed, bad }' "$TMP/owners.txt" >"$TMP/verdict"
read owned wrong undescribed misnamed bad <"$TMP/verdict"
# A packet may leave the reorder window before its event on a busy machine: then it has no owner at all.
[ "$owned" -ge $((packets / 2)) ] || fail "only $owned of $packets packets have owners"
ok "$owned of $packets packets have owners"
expect_eq "packets whose option 8 is not the pid their comment names first" 0 "$wrong"
expect_eq "packets whose process has no process information block" 0 "$undescribed"
expect_eq "process blocks naming another process than the comment" 0 "$misnamed"
expect_eq "packets without owner but with option 8" 0 "$bad"

# The client's packets name the client, the server's the process that accept()ed (the traffic's pids).
grep -v '^process information blocks' "$TMP/owners.txt" | cut -f2 | cut -d' ' -f1 | grep -v '^-' | sort -u >"$TMP/pids"
grep -qx "$client" "$TMP/pids" || fail "no packet names the client $client: $(tr '\n' ' ' <"$TMP/pids")"
grep -qx "$server" "$TMP/pids" || fail "no packet names the server $server: $(tr '\n' ' ' <"$TMP/pids")"
grep -q "	$client .*	tcp_client uid=" "$TMP/owners.txt" || fail "the client's block does not name tcp_client"
ok "option 8: client $client and server $server, each described as its comment says"
expect_eq "process information blocks (one per process named)" "$(wc -l <"$TMP/pids")" \
	"$(sed -n 's/^process information blocks: //p' "$TMP/owners.txt")"

# pib_starttime (from /proc): the traffic's processes started while it ran, to /proc's clock tick
# (10 ms). A process already gone when its first event was read has none (0), not a wrong one.
tick=$((1000000000 / $(getconf CLK_TCK)))
started=0
for pid in $client $server; do
	start=$(awk -F'\t' -v p="$pid" 'split($2, pt, " ") && pt[1] == p { sub(/.* start=/, "", $3); print $3; exit }' \
		"$TMP/owners.txt")
	[ "${start:-0}" -eq 0 ] && continue
	[ "$start" -ge $((t0 - tick)) ] && [ "$start" -le "$t1" ] ||
		fail "process $pid: start time $start outside the traffic's run [$t0, $t1]"
	started=$((started + 1))
done
[ "$started" -ge 1 ] || fail "neither the client's nor the server's block has a start time"
ok "pib_starttime: $started of the traffic's 2 processes, each within the traffic's run"

# The installed tshark reads the file without a word, every packet and comment as without the blocks.
grep -v 'Running as user' "$TMP/tshark.err" | grep . && fail "tshark $(tshark --version | head -1) warns"
expect_eq "tshark: TCP packets with their owners' comment" "$owned" "$(grep -c 'src .*|.*dst ' "$TMP/comments")"
ok "$(tshark --version | head -1) reads it: $packets packets, their comments, no warning"
expect_no_programs
