# docs/FORMAT.md and the dissector agree: every documented display filter is
# registered by the plugin and shows up when a record of every type is decoded.
. test/helpers/lib.sh
documented=$(sed -n 's/^| [0-9]* | [0-9]* | [a-z_]* | \([a-z0-9_., ]*ebpf[a-z0-9_., ]*\) |.*/\1/p; s/^| [0-9]* | [a-z0-9_]* | \(ebpf[a-z0-9_.]*\) |.*/\1/p' docs/FORMAT.md \
	| tr ',' '\n' | tr -d ' ' | grep '^ebpf' | sort -u)
[ "$(echo "$documented" | wc -l)" -ge 40 ] || fail "found only $(echo "$documented" | wc -l) documented fields"
registered=$(tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" {print $3}' | grep '^ebpf\.' | sort -u)
$BUILD/test/gen_records all "$TMP/all.pcapng"
tshark -r "$TMP/all.pcapng" -T pdml 2>/dev/null >"$TMP/pdml.xml"
for f in $documented; do
	echo "$registered" | grep -qx "$f" || fail "$f is in FORMAT.md but not registered by the plugin"
	grep -q "name=\"$f\"" "$TMP/pdml.xml" || fail "$f is in FORMAT.md but never shown"
done
ok "$(echo "$documented" | wc -w) documented fields are registered and shown"
for f in $registered; do
	echo "$documented" | grep -qx "$f" || echo "note: $f is registered but not in FORMAT.md's tables"
done
