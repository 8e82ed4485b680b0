# Malformed records are marked malformed with the reason, never crash;
# a newer minor version decodes what it knows and shows the rest.
. test/lib.sh
$BUILD/test/gen_records malformed "$TMP/m.pcapng" || fail "gen_records"
tshark -r "$TMP/m.pcapng" -T fields -E separator='|' -e frame.comment -e _ws.expert.message -e ebpf.pid \
	-e ebpf.undecoded >"$TMP/out.txt" 2>"$TMP/err" || fail "tshark failed: $(cat "$TMP/err")"
while IFS='|' read -r name reason; do
	line=$(grep "^$name|" "$TMP/out.txt") || fail "no packet for $name"
	case "$line" in *"Malformed eBPFFlow record: $reason"*) ok "$name: $reason" ;;
	*) fail "$name: expected '$reason' in: $line" ;; esac
done <<'W'
short-header|shorter than the 8-byte header
bad-major|unknown major version
short-fixed|fixed part shorter than version 1.0's
huge-length|length beyond the captured bytes
length-below-fixed|length shorter than the fixed part
truncated-fixed|length beyond the captured bytes
comm-unterminated|string without its terminating NUL
tlv-past-end|TLV runs past the record
tlv-unterminated|string without its terminating NUL
tlv-header-truncated|truncated TLV header
W
expect_eq "newer minor: known fields, undecoded rest, no malformed" \
	"newer-minor|newer-minor,8 bytes of fixed part this version does not know,4 bytes of a TLV this version does not know|1000|abababababababab,6e657700" \
	"$(grep '^newer-minor|' "$TMP/out.txt")"
