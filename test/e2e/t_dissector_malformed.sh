# Malformed records are marked malformed with a precise reason (in the expert
# info, not in Info) and never crash or throw (no "Exception occurred": every
# length is checked against the reported length before use); a newer minor
# version, an unknown type or family and trailing bytes decode what is known
# and show the rest, without being malformed. Records cut by a snaplen are
# t_dissector_truncated's.
. test/helpers/lib.sh
$BUILD/test/gen_records malformed "$TMP/m.pcapng" || fail "gen_records"
tshark -r "$TMP/m.pcapng" -T fields -E separator='|' -e frame.comment -e _ws.expert.message -e ebpf.pid \
	-e ebpf.undecoded -e _ws.col.Info >"$TMP/out.txt" 2>"$TMP/err" || fail "tshark failed: $(cat "$TMP/err")"
grep -v 'Running as user' "$TMP/err" | grep . && fail "tshark complained on stderr"
grep -q 'Exception occurred' "$TMP/out.txt" && fail "a record made the dissector throw: $(grep 'Exception' "$TMP/out.txt")"

# The packet comment names the form; its expert message and Info must give the reason.
while IFS='|' read -r name reason; do
	line=$(grep "^$name|" "$TMP/out.txt") || fail "no packet for $name"
	case "$line" in *"Malformed eBPFFlow record: $reason"*) ;; *) fail "$name: expected '$reason' in: $line" ;; esac
	case "${line##*|}" in *Malformed*) fail "$name: the reason is in Info: $line" ;; esac
	ok "$name: $reason"
done <<'W'
short-header|shorter than the 8-byte header
bad-major|major version 7, this dissector reads 1
short-fixed|fixed part of 100 bytes, shorter than version 1.0's 176
huge-length|length 4294967280 beyond the record's 461 bytes
length-below-fixed|length 20 shorter than header and fixed part (248)
truncated-fixed|length 461 beyond the record's 100 bytes
comm-unterminated|ebpf.comm without its terminating NUL
parent-unterminated|ebpf.parent.comm without its terminating NUL
thread-unterminated|ebpf.thread.comm without its terminating NUL
tlv-past-end|TLV 1 of 4000 bytes runs past the record's end by 3791
tlv-unterminated|ebpf.exe without its terminating NUL
tlv-empty-string|ebpf.exe without its terminating NUL
tlv-header-truncated|TLV header cut short at offset 248: 2 of its 4 bytes
W
expect_eq "malformed forms marked malformed (and nothing else)" 13 \
	"$(tshark -r "$TMP/m.pcapng" -Y 'ebpf.expert.malformed' 2>/dev/null | wc -l)"
# Info names the type as soon as the fixed part is there.
grep -q '^comm-unterminated|.*|TCP_Connect$' "$TMP/out.txt" || fail "Info of a malformed TCP_Connect is not its type"
# A record the snaplen cut is not malformed (t_dissector_truncated has the rest).
expect_eq "the snapped record: cut, not malformed" 1 "$(tshark -r "$TMP/m.pcapng" \
	-Y 'frame.comment == "snapped" && _ws.short && !_ws.malformed && !ebpf.expert.malformed' 2>/dev/null | wc -l)"

# name|expert messages|pid|undecoded bytes|Info
expect_eq "newer minor: known fields, undecoded rest, no malformed" \
	"newer-minor|newer-minor,8 bytes of fixed part this version does not know,4 bytes of a TLV this version does not know|1000|abababababababab,6e657700|TCP_Connect curl(1000) 10.0.0.1:40000 → 10.0.0.2:8080 latency 53 µs [pod shop/web-7f9c]" \
	"$(grep '^newer-minor|' "$TMP/out.txt")"
expect_eq "older minor (a 1.0 capture, before thread_comm, drop_kind, prev_* and acceptor_*): decoded, nothing undecoded, no malformed" \
	"older-minor|older-minor|1000||TCP_Connect curl(1000) 10.0.0.1:40000 → 10.0.0.2:8080 latency 53 µs [pod shop/web-7f9c]" \
	"$(grep '^older-minor|' "$TMP/out.txt")"
expect_eq "unknown type and family: decoded, said so" \
	"unknown-type-family|unknown-type-family|1000||Unknown_type_42 curl(1000) (address family 7) [pod shop/web-7f9c]" \
	"$(grep '^unknown-type-family|' "$TMP/out.txt")"
expect_eq "bytes after the record: shown as undecoded" \
	"trailing-bytes|trailing-bytes,3 bytes of trailing data this version does not know|1000|010203|TCP_Connect curl(1000) 10.0.0.1:40000 → 10.0.0.2:8080 latency 53 µs [pod shop/web-7f9c]" \
	"$(grep '^trailing-bytes|' "$TMP/out.txt")"
