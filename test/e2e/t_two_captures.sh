# Two captures at once (two Wireshark windows): one through tshark, one from
# the CLI, with different filters on the same traffic. Each gets its own
# events; the first ending does not disturb the second, which keeps
# capturing; afterwards nothing of either is loaded. Both follow one gated
# generator (--pid), so traffic of other tests is not in their files.
. test/helpers/lib.sh
N=5 # connections before the first capture ends
M=3 # connections after
export WIRESHARK_CONFIG_DIR=$TMP/wireshark
mkdir -p "$WIRESHARK_CONFIG_DIR/extcap"
ln -s "$(realpath "$EBPFCAP")" "$WIRESHARK_CONFIG_DIR/extcap/ebpfcap"

mkfifo "$TMP/gate1" "$TMP/gate2"
sh -c "read go <'$TMP/gate1'; $TRAFFIC tcp $N; read go <'$TMP/gate2'; $TRAFFIC tcp $M" >"$TMP/gen.out" &
gen=$!
at_exit "kill -9 $gen"

# A: tshark, every event type; it stops by itself after the generator's listen() and the 4
# events of each of N connections.
tshark -i ebpfevents -o extcap.ebpfevents.pid:$gen -c $((4 * N + 1)) -a duration:50 \
	-w "$TMP/a.pcapng" >/dev/null 2>"$TMP/a.err" &
ts=$!
at_exit "kill -9 $ts"
cap_a=$(extcap_of $ts "$TMP/a.err") || exit 1
objs_a=$(attached_objects $cap_a) || exit 1

# B: the CLI, connects only.
$EBPFCAP -w "$TMP/b.pcapng" --pid $gen --event-types TCP_Connect 2>"$TMP/b.err" &
cap_b=$!
at_exit "kill -9 $cap_b"
objs_b=$(attached_objects $cap_b) || exit 1
expect_eq "objects the two captures share" "" "$(printf '%s\n' "$objs_a" | grep -xF "$objs_b")"

echo go >"$TMP/gate1"
reap $ts 30
expect_eq "A (tshark) ended by itself after $((4 * N + 1)) events: exit status" 0 "$status"
expect_released "A" "$objs_a"
kill -0 $cap_b 2>/dev/null || fail "B ended with A"
expect_eq "B's objects unloaded when A ended" "" "$(printf '%s\n' "$objs_b" | grep -vxF "$(bpf_objects_loaded)")"

echo go >"$TMP/gate2"
wait $gen || fail "traffic failed"
kill -INT $cap_b
reap $cap_b
expect_eq "B's exit status" 0 "$status"
expect_released "B" "$objs_b"
[ -s "$TMP/b.err" ] && fail "B's stderr: $(cat "$TMP/b.err")"

run1=$(sed -n 1p "$TMP/gen.out"); run2=$(sed -n 2p "$TMP/gen.out")
c1=$(field "$run1" client_pid); s1=$(field "$run1" server_pid); c2=$(field "$run2" client_pid)

# "COUNT PID TYPE" lines of a file, sorted (types: 1 TCP_Connect, 3 TCP_Accept, 4 TCP_Close, 10 TCP_Listen).
tally() {
	tshark_fields "$1" -e ebpf.pid -e ebpf.type | sort | uniq -c | awk '{print $1, $2, $3}' | sort
}

# A: all of the first run's events, by the right processes (the listener by the generator,
# the parent of both), and nothing of the second.
t1=$(tshark_fields "$TMP/a.pcapng" -Y "ebpf.pid == $c1" -e ebpf.ppid | head -1)
expect_eq "A: events (count pid type)" \
	"$(printf '%s\n' "$N $c1 1" "$N $c1 4" "$N $s1 3" "$N $s1 4" "1 $t1 10" | sort)" "$(tally "$TMP/a.pcapng")"

# B: connects only (type 1), from both runs: it went on capturing after A ended.
expect_eq "B: events (count pid type)" "$(printf '%s\n' "$N $c1 1" "$M $c2 1" | sort)" "$(tally "$TMP/b.pcapng")"
