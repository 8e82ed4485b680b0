# Bounded fuzz: mutated records (truncation, bit flips, lying lengths, random
# TLVs) through tshark with the plugin; a subset under valgrind for invalid
# reads. The long run is `make fuzz`.
. test/lib.sh
N=${FUZZ_RECORDS:-200000}
$BUILD/test/gen_records fuzz 42 $N "$TMP/f.pcapng" || fail "gen_records"
tshark -r "$TMP/f.pcapng" -V >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] || fail "tshark exited $rc on $N mutated records: $(tail -3 "$TMP/err")"
grep -qiE 'segmentation|assert|abort|sanitizer' "$TMP/err" && fail "tshark complained: $(cat "$TMP/err")"
malformed=$(tshark -r "$TMP/f.pcapng" -Y '_ws.expert.group == "Malformed"' 2>/dev/null | wc -l)
[ "$malformed" -gt $((N / 4)) ] || fail "only $malformed of $N mutated records marked malformed"
ok "$N mutated records decoded with -V, $malformed marked malformed, no crash"

if command -v valgrind >/dev/null; then
	$BUILD/test/gen_records fuzz 7 2000 "$TMP/v.pcapng"
	valgrind --error-exitcode=9 --errors-for-leak-kinds=none -q tshark -r "$TMP/v.pcapng" -V \
		>/dev/null 2>"$TMP/vg.txt"
	rc=$?
	[ $rc -ne 9 ] || fail "valgrind found errors: $(grep -m5 '==' "$TMP/vg.txt")"
	ok "2000 mutated records under valgrind: no invalid read (exit $rc)"
fi
