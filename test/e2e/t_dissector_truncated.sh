# Records cut by a snaplen (editcap -s N) at every byte across the record,
# for every record of gen_records all (every type, IPv4 and IPv6, with and
# without TLVs): each one shows every field whose bytes were captured, exactly
# the fields the whole record has there, and is marked "Packet size limited
# during capture" (_ws.short), never malformed (neither Wireshark's
# _ws.malformed nor ebpf.expert.malformed) and with no "Malformed" in Info.
# Whole records are neither. Malformed records stay malformed:
# t_dissector_malformed.
. test/helpers/lib.sh
$BUILD/test/gen_records all "$TMP/all.pcapng" || fail "gen_records"
longest=$(tshark -r "$TMP/all.pcapng" -T fields -e frame.len 2>/dev/null | sort -n | tail -1)
[ -n "$longest" ] || fail "no frames in the generated capture"

# One file with every cut: editcap -s N cuts every frame of the capture at N bytes.
n=1
while [ $n -le "$longest" ]; do
	editcap -s $n "$TMP/all.pcapng" "$TMP/cut$n.pcapng" || fail "editcap -s $n"
	n=$((n + 1))
done
mergecap -a -w "$TMP/cuts.pcapng" $(n=1; while [ $n -le "$longest" ]; do echo "$TMP/cut$n.pcapng"; n=$((n + 1)); done) ||
	fail "mergecap"
rm -f "$TMP"/cut[0-9]*.pcapng

# Name, position and size of every field (tshark -T json -x: its "_raw" entries), per frame.
tshark -r "$TMP/all.pcapng" -T json -x >"$TMP/whole.json" 2>/dev/null || fail "tshark -T json (whole)"
tshark -r "$TMP/cuts.pcapng" -T json -x >"$TMP/cuts.json" 2>/dev/null || fail "tshark -T json (cuts)"
python3 - "$TMP/whole.json" "$TMP/cuts.json" "$longest" <<'EOF' || fail "truncated records"
import json
import sys

MARKERS = ('_ws.short', '_ws.malformed', 'ebpf.expert.malformed')

def walk(pairs, out):
    """Collects the ebpf.* fields as (name, pos, size), the markers and the frame's lengths."""
    for key, value in pairs:
        if key in MARKERS:
            out['markers'].add(key)
        if key in ('frame.cap_len', 'frame.len'):
            out[key] = int(value)
        if key.startswith('ebpf.') and key.endswith('_raw') and not key.startswith('ebpf.expert.'):
            raws = value if isinstance(value[0], list) else [value]  # a field that occurs twice: a list of them
            for raw in raws:
                out['fields'].add((key[:-4], raw[1], raw[2]))
        elif isinstance(value, list) and value and isinstance(value[0], tuple):
            walk(value, out)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, list) and v and isinstance(v[0], tuple):
                    walk(v, out)

def frames(path):
    with open(path) as f:
        packets = json.load(f, object_pairs_hook=lambda pairs: pairs)
    for packet in packets:
        out = {'markers': set(), 'fields': set()}
        walk(packet, out)
        yield out['frame.cap_len'], out['frame.len'], out['fields'], out['markers']

whole = list(frames(sys.argv[1]))
longest = int(sys.argv[3])
bad = []
checked = cut = 0
for i, (caplen, length, fields, markers) in enumerate(frames(sys.argv[2])):
    rec = i % len(whole)
    _, full_len, full_fields, full_markers = whole[rec]
    assert length == full_len and not full_markers, (i, length, full_len, full_markers)
    expect = {f for f in full_fields if f[1] + f[2] <= caplen}
    expect_marks = {'_ws.short'} if caplen < length else set()
    checked += 1
    cut += caplen < length
    if fields != expect or markers != expect_marks:
        bad.append('record %d cut at %d of %d bytes: missing %s, extra %s, markers %s (expected %s)' % (
            rec + 1, caplen, length, sorted(n for n, _, _ in expect - fields)[:5],
            sorted(n for n, _, _ in fields - expect)[:5], sorted(markers), sorted(expect_marks)))
for b in bad[:10]:
    print('FAIL:', b)
if bad:
    print('FAIL: %d of %d cuts wrong' % (len(bad), checked))
    sys.exit(1)
assert len(whole) >= 20 and all(len(w[2]) > 40 for w in whole[:8]), 'the whole records have too few fields'
print('ok: %d frames (%d records cut at every byte up to %d): the %d cut ones show every captured field and are'
      ' marked "Packet size limited during capture", none malformed; whole ones unmarked' % (
          checked, len(whole), longest, cut))
EOF

# Info: the event type, no "Malformed".
tshark -r "$TMP/cuts.pcapng" -T fields -e _ws.col.Info 2>/dev/null | grep -i malformed | head -3 | grep . &&
	fail "Info of a cut record says Malformed"
expect_eq "Info of a record cut after its type: the type, then Wireshark's note" "TCP_Connect[Packet size limited during capture]" \
	"$(editcap -s 300 "$TMP/all.pcapng" - 2>/dev/null | tshark -r - -c 1 -T fields -e _ws.col.Info 2>/dev/null)"
