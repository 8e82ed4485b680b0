# Wireshark's own review tools over the plugin (dissector/), as its
# maintainers run them on every dissector, with 0 findings: tools/checkAPIs.pl,
# checkhf.pl, checkfiltername.pl, check_typed_item_calls.py, check_tfs.py,
# check_static.py and tools/cppcheck/cppcheck.sh, plus clang's analyzer
# (scan-build). The tools come from the Debian source package of the installed
# Wireshark, fetched here (cached in $BUILD/wsreview; nothing of Wireshark's
# is committed). 4.0 has no check_val_to_str.py (it came later).
#
# A tool that cannot see an hf entry (one written through a macro, or one of
# several variables in one declaration) cannot find anything wrong with it,
# so the test also proves they see every entry: it plants one error in every
# entry of a copy and expects exactly as many findings as the installed plugin
# registers ebpf.* fields (tshark -G fields) and expert infos.
. test/helpers/lib.sh

WS_VERSION=$(dpkg-query -W -f '${Version}' tshark) || fail "tshark is not installed"
REVIEW=$BUILD/wsreview
WS=$REVIEW/wireshark-$(echo "$WS_VERSION" | sed 's/-.*//')

# The tools, doc/ and epan/ headers they read, from "apt-get source" with a private
# deb-src list (the system's apt configuration stays as it is).
fetch_tools() {
	[ -f "$WS/tools/checkAPIs.pl" ] && return
	mkdir -p "$REVIEW/lists/partial" "$REVIEW/src" "$WS"
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	printf 'deb-src http://deb.debian.org/debian %s main\ndeb-src http://deb.debian.org/debian-security %s-security main\n' \
		"$codename" "$codename" >"$REVIEW/sources.list"
	set -- -q -o Dir::Etc::SourceList="$PWD/$REVIEW/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$PWD/$REVIEW/lists"
	apt-get "$@" update >"$TMP/apt.log" 2>&1 || fail "apt-get update (deb-src): $(tail -3 "$TMP/apt.log")"
	(cd "$REVIEW/src" && apt-get "$@" source --download-only "wireshark=$WS_VERSION") >"$TMP/apt.log" 2>&1 ||
		fail "apt-get source wireshark=$WS_VERSION: $(tail -3 "$TMP/apt.log")"
	tar -x -f "$REVIEW"/src/wireshark_*.orig.tar.* -C "$WS" --strip-components=1 --wildcards \
		'*/tools/*' '*/doc/README.dissector' '*/epan/tfs.c' || fail "unpacking the Wireshark sources"
	rm -rf "$REVIEW/src"
}
fetch_tools
TOOLS=$PWD/$WS/tools
ok "review tools of Wireshark $WS_VERSION in $WS"

# The scripts expect Wireshark's tree, run from its top: dissectors in epan/dissectors/
# named packet-*.c (checkfiltername.pl and check_static.py look only at those), the
# registration file dissectors.c (plugin.c is ours), epan/tfs.c for check_tfs.py and
# ui/ for check_static.py. The attribution core is compiled into the plugin too: reviewed with it.
stage() {
	rm -rf "$1" && mkdir -p "$1/epan/dissectors" "$1/ui/qt" "$1/ui/cli"
	cp dissector/*.h "$1/epan/dissectors/"
	for c in dissector/*.c utils/attrib/socket_owner.c; do
		case $c in
		*/plugin.c) cp "$c" "$1/epan/dissectors/dissectors.c" ;;
		*/packet-*.c) cp "$c" "$1/epan/dissectors/" ;;
		*) cp "$c" "$1/epan/dissectors/packet-$(basename "$c")" ;;
		esac
	done
	cp "$WS/epan/tfs.c" "$1/epan/"
}
STAGE=$TMP/stage
stage "$STAGE"
FILES=$(cd "$STAGE" && ls epan/dissectors/*.c)

# Each tool's findings in $TMP/NAME.out; a finding is any line the tool prints that is
# not its banner or summary (each tool is quiet or says "0 ..." when it finds nothing).
review() {
	name=$1; shift
	(cd "$STAGE" && "$@") >"$TMP/$name.out" 2>&1
	echo $? >"$TMP/$name.rc"
}
findings() {
	grep -v -e '^Examining:$' -e '^epan/dissectors/.* *$' -e '^$' -e '^0 warnings$' -e '^0 warnings found$' -e '^0 issues found$' "$TMP/$1.out" || true
}
expect_clean() {
	found=$(findings "$1")
	[ -z "$found" ] || fail "$1 finds: $found"
	ok "$1: 0 findings"
}

for f in $FILES; do
	review checkAPIs perl "$TOOLS/checkAPIs.pl" $f
	expect_clean checkAPIs
	review checkhf perl "$TOOLS/checkhf.pl" $f
	expect_clean checkhf
done
review checkfiltername perl "$TOOLS/checkfiltername.pl" $FILES
expect_clean checkfiltername
set --
for f in $FILES; do set -- "$@" --file "$(basename "$f")"; done
review check_typed_item_calls python3 "$TOOLS/check_typed_item_calls.py" --mask --label --consecutive --missing-items "$@"
expect_clean check_typed_item_calls
review check_tfs python3 "$TOOLS/check_tfs.py" --common "$@"
expect_clean check_tfs

# check_static.py: a symbol one object defines and no other object uses could be static.
# It reads nm of the objects where Wireshark's CMake puts them.
CMAKE=$STAGE/build/epan/dissectors/CMakeFiles
mkdir -p "$CMAKE/dissectors.dir" "$CMAKE/dissector-registration.dir"
for f in $FILES; do
	case $f in */dissectors.c) obj=$CMAKE/dissector-registration.dir ;; *) obj=$CMAKE/dissectors.dir ;; esac
	gcc -std=gnu11 -I. -I"$BUILD" $(pkg-config --cflags wireshark) -fPIC -c "$STAGE/$f" -o "$obj/$(basename "$f").o" ||
		fail "compiling $f for check_static"
done
set --
for f in $FILES; do case $f in */dissectors.c) ;; *) set -- "$@" --file "$(basename "$f")" ;; esac; done
review check_static python3 "$TOOLS/check_static.py" --build "$STAGE/build" "$@"
expect_clean check_static
grep -q '^0 issues found$' "$TMP/check_static.out" || fail "check_static did not run: $(cat "$TMP/check_static.out")"

review cppcheck bash "$TOOLS/cppcheck/cppcheck.sh" $FILES
expect_clean cppcheck

# clang's analyzer: --status-bugs makes any report a failure.
review scan_build scan-build --status-bugs -o "$TMP/scan" clang -std=gnu11 -I"$PWD" -I"$PWD/$BUILD" \
	$(pkg-config --cflags wireshark) -fPIC -fsyntax-only $FILES
[ "$(cat "$TMP/scan_build.rc")" = 0 ] || fail "scan-build finds: $(cat "$TMP/scan_build.out")"
ok "scan-build: no bugs found"

# Every entry seen. The installed plugin's fields and expert infos are the truth: tshark -G
# fields lists both, an expert info as an FT_NONE with neither display nor description.
tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $3 ~ /^ebpf\./' >"$TMP/glossary"
awk -F'\t' '!($4 == "FT_NONE" && $6 == "" && $8 == "")' "$TMP/glossary" >"$TMP/hf"
fields=$(wc -l <"$TMP/hf")
experts=$(($(wc -l <"$TMP/glossary") - fields))
[ "$fields" -gt 0 ] && [ "$experts" -gt 0 ] || fail "the installed plugin registers no ebpf.* field or expert info"
ok "the installed plugin registers $fields ebpf.* fields and $experts expert infos"

# Fields as reviewers want them: a description each, no two with one label, expert infos
# named ebpf.expert.*.
awk -F'\t' '$8 == "" {print $3}' "$TMP/hf" | grep . && fail "fields without a description"
cut -f2 "$TMP/hf" | sort | uniq -d | grep . && fail "labels used by more than one field"
awk -F'\t' '!($4 == "FT_NONE" && $6 == "" && $8 == "") {next} $3 !~ /^ebpf\.expert\./ {print $3}' "$TMP/glossary" |
	grep . && fail "expert infos not named ebpf.expert.*"
ok "every field has a description and its own label; expert infos are ebpf.expert.*"
# checkhf.pl --debug=4 lists the hf array entries it found. checkfiltername.pl reads only
# files that register a protocol: not the owner's (its fields are eBPFFlow's, registered there).
seen=0
for f in $FILES; do
	n=$(cd "$STAGE" && perl "$TOOLS/checkhf.pl" --debug=4 $f | grep -c '^AE: .* hf_')
	seen=$((seen + n))
	grep -q 'proto_register_protocol' "$STAGE/$f" || unregistered=$((${unregistered:-0} + n))
done
expect_eq "hf entries checkhf.pl sees (= fields registered)" "$fields" "$seen"
# One planted error per entry, in a fresh copy for each tool: a trailing space in each
# field's name (checkAPIs.pl), an unbalanced parenthesis in each label
# (check_typed_item_calls.py --label), a foreign prefix on each field's and expert's
# filter name (checkfiltername.pl).
plant() { # SED_EXPRESSION
	stage "$STAGE"
	sed -i -e "$1" "$STAGE"/epan/dissectors/*.c
}
plant 's/^\(\t\t  { "[^"]*\)", "ebpf\./\1 ", "ebpf./'
seen=0
for f in $FILES; do
	n=$(cd "$STAGE" && perl "$TOOLS/checkAPIs.pl" $f 2>&1 | grep -c 'has trailing space')
	seen=$((seen + n))
done
expect_eq "planted errors checkAPIs.pl finds (= fields registered)" "$fields" "$seen"
plant 's/^\(\t\t  { "[^"]*\)", "ebpf\./\1 (", "ebpf./'
review check_typed_item_calls python3 "$TOOLS/check_typed_item_calls.py" --label $(for f in $FILES; do echo --file "$(basename "$f")"; done)
expect_eq "planted errors check_typed_item_calls.py finds (= fields registered)" "$fields" \
	"$(grep -c 'has unbalanced parens' "$TMP/check_typed_item_calls.out")"
plant 's/^\(\t\t  { "[^"]*", \)"ebpf\./\1"xebpf./; s/^\(\t\t{ &ei_[a-z_]*, { \)"ebpf\./\1"xebpf./'
review checkfiltername perl "$TOOLS/checkfiltername.pl" $FILES
expect_eq "planted errors checkfiltername.pl finds (= fields and expert infos registered, in files with a protocol)" \
	"$((fields + experts - ${unregistered:-0}))" \
	"$(grep -c "doesn't match PROTOABBREV" "$TMP/checkfiltername.out")"
