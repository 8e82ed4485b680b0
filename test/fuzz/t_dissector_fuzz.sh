# Bounded fuzz: mutated records (truncation, bit flips, lying lengths, random
# TLVs; every type, both families, all owners) through tshark with the
# plugin, in two files decoded side by side; a subset under valgrind for
# invalid reads. Every record the dissector calls malformed must be marked by
# the dissector itself: a "Malformed Packet" from an exception means it read
# past what it had checked. The long run is `make fuzz` (FUZZ_RECORDS).
. test/helpers/lib.sh
N=${FUZZ_RECORDS:-200000}
HALF=$((N / 2))

decode() { # SEED
	$BUILD/test/gen_records fuzz "$1" $HALF "$TMP/f$1.pcapng" || { echo "gen_records failed" >"$TMP/rc$1"; return; }
	tshark -r "$TMP/f$1.pcapng" -V >/dev/null 2>"$TMP/err$1"
	echo $? >"$TMP/rc$1"
	tshark -r "$TMP/f$1.pcapng" -T fields -e ebpf.expert.malformed -e _ws.malformed 2>/dev/null |
		awk -F'\t' '$1 != "" {ours++} $2 != "" && $1 == "" {theirs++} END {print ours + 0, theirs + 0}' >"$TMP/count$1"
}
decode 42 &
decode 43
wait

total=0
for s in 42 43; do
	[ "$(cat "$TMP/rc$s")" = 0 ] || fail "tshark exited $(cat "$TMP/rc$s") on seed $s: $(tail -3 "$TMP/err$s")"
	grep -iE 'segmentation|assert|abort|sanitizer|dissector bug' "$TMP/err$s" && fail "tshark complained on seed $s"
	read -r ours theirs <"$TMP/count$s"
	[ "$theirs" -eq 0 ] || fail "seed $s: $theirs records marked malformed by an exception, not by the dissector"
	total=$((total + ours))
done
[ "$total" -gt $((N / 4)) ] || fail "only $total of $N mutated records marked malformed"
ok "$N mutated records decoded with -V, $total marked malformed by the dissector, none by an exception, no crash"

if command -v valgrind >/dev/null; then
	$BUILD/test/gen_records fuzz 7 3000 "$TMP/v.pcapng"
	valgrind --error-exitcode=9 --errors-for-leak-kinds=none -q tshark -r "$TMP/v.pcapng" -V \
		>/dev/null 2>"$TMP/vg.txt"
	rc=$?
	[ $rc -eq 0 ] || fail "valgrind tshark exited $rc: $(grep -m5 '==' "$TMP/vg.txt")"
	grep -q 'Invalid read' "$TMP/vg.txt" && fail "valgrind found invalid reads"
	ok "3000 mutated records under valgrind: no invalid read, no error"
fi
