# What local users get, as real users: one in group wireshark (the extcap is
# root:wireshark 0750 with the file capabilities make install gives), one
# outside it. The capabilities serve the capture only: every path the user
# names is opened with the user's own rights, so root's files are "Permission
# denied" and nothing of them appears. The default exporter is read by group
# wireshark only. Hostile peers (a 50 MB frame, 20 000 (un)subscriptions, 60
# flooding connections to a collector whose reader is stalled) leave memory
# under the bounds stated below; key files that are FIFOs or devices are
# refused at once.
. test/helpers/lib.sh
PEER=$BUILD/test/zmq_peer
FLOOD="python3 test/helpers/zmtp_flood.py"
[ -x "$PEER" ] || fail "$PEER is missing (make all)"

# Memory bounds (VmRSS, kB), from the ZMQ limits (utils/transport/exporter.c, extcap/remote.c):
# the exporter cuts a peer at a 4 KiB frame; the collector holds at most 16
# messages of 64 KiB per connection (60 connections: 60 MiB at worst).
EXPORTER_MAX_GROWTH_KB=65536
COLLECTOR_MAX_KB=$((60 * 1024 + 65536))

CAPS=$($EBPFCAP --capabilities)
groupadd -f -r wireshark
member=ebpfsm$$ stranger=ebpfss$$
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -G wireshark $member || fail "useradd $member"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin $stranger || fail "useradd $stranger"
at_exit "i=0; while pgrep -u $member,$stranger >/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done; userdel -f $member; userdel -f $stranger"
as_user() { u=$1; shift; setpriv --reuid="$(id -u $u)" --regid="$(id -g $u)" --init-groups env HOME=/nonexistent "$@"; }
# The same as a plain command, for "... &": $! is then the capture's own pid (setpriv and env exec).
AS_MEMBER="setpriv --reuid=$(id -u $member) --regid=$(id -g $member) --init-groups env HOME=/nonexistent"

# File capabilities count only where the filesystem is not mounted nosuid.
for base in /var/tmp "$(realpath "$BUILD")"; do
	findmnt -n -o OPTIONS -T "$base" | tr ',' '\n' | grep -qx nosuid || break
	base=""
done
[ -n "$base" ] || fail "no directory here honours file capabilities (all nosuid)"
home=$(mktemp -d "$base/ebpfcap-security.XXXXXX")
at_exit "rm -rf $home"
chmod 0755 "$home"
EXT=$home/ebpfcap      # as make install: root:wireshark 0750 + file capabilities
PLAIN=$home/plain      # no capabilities, for anyone: a collector needs none
install -m 0750 -g wireshark "$EBPFCAP" "$EXT"
setcap "$CAPS" "$EXT" || fail "setcap"
install -m 0755 "$EBPFCAP" "$PLAIN"
mkdir -m 0777 "$home/out"

# Root's own: a capture 0600 in a 0700 directory, a key 0600, a 0700 directory.
secret=$(mktemp -d /root/ebpfcap-security.XXXXXX)
at_exit "rm -rf $secret"
$BUILD/test/gen_records all "$secret/x.pcapng" >/dev/null || fail "gen_records"
(umask 077; $EBPFCAP --gen-keys >"$secret/key"; mkdir "$secret/dir")
chmod 0600 "$secret/x.pcapng"
grep -q . "$secret/x.pcapng" && $EBPFCAP -r "$secret/x.pcapng" | grep -q . || fail "root cannot read its own capture"

# refused LABEL ARGS...: as the member, one line on stderr saying "Permission denied", nothing on stdout.
refused() {
	label=$1; shift
	as_user $member "$EXT" "$@" >"$TMP/refused.out" 2>"$TMP/refused.err" && fail "$label: exit status 0"
	expect_eq "$label: lines on stderr" 1 "$(wc -l <"$TMP/refused.err")"
	grep -q ': Permission denied$' "$TMP/refused.err" || fail "$label: $(cat "$TMP/refused.err")"
	[ -s "$TMP/refused.out" ] && fail "$label: wrote to stdout: $(head -c 300 "$TMP/refused.out")"
	ok "$label: $(cat "$TMP/refused.err")"
}

refused "-r root's 0600 capture" -r "$secret/x.pcapng"
refused "-r /etc/shadow" -r /etc/shadow
refused "-w in root's 0700 directory" -w "$secret/dir/x.pcapng" -c 1
[ -e "$secret/dir/x.pcapng" ] && fail "-w created a file in root's directory"
refused "--fifo in root's 0700 directory" --extcap-interface ebpfevents --capture --fifo "$secret/dir/f" -c 1
refused "--secret-key of root (exporter)" --export=tcp://127.0.0.1:1 --secret-key "$secret/key"
refused "--server-key of root (collector)" -i ebpfremote --remote-endpoints tcp://127.0.0.1:1 --server-key "$secret/key"
refused "--allowed-keys of root (collector)" -i ebpfremote --remote-bind --remote-endpoints tcp://127.0.0.1:1 \
	--secret-key "$secret/key" --allowed-keys "$secret/key"
refused "--cgroup through root's directory" --cgroup "../../../../../../..$secret/dir" -c 1
ls "$secret/dir" | grep -q . && fail "something was created in root's directory: $(ls "$secret/dir")"

# Key files that would block or never end: one line, at once (timeout only as a safety net).
mkfifo "$TMP/key.fifo"
keyfile_refused() {
	label=$1; shift
	timeout 20 "$EBPFCAP" "$@" >/dev/null 2>"$TMP/key.err"
	rc=$?
	[ $rc -eq 124 ] && fail "$label: still running after 20 s"
	[ $rc -ne 0 ] || fail "$label: exit status 0"
	expect_eq "$label: lines on stderr" 1 "$(wc -l <"$TMP/key.err")"
	ok "$label: $(cat "$TMP/key.err")"
}
keyfile_refused "--server-key /dev/zero" -i ebpfremote --remote-endpoints tcp://127.0.0.1:1 --server-key /dev/zero
keyfile_refused "--secret-key FIFO" -i ebpfremote --remote-endpoints tcp://127.0.0.1:1 --server-key "$(sed -n 's/^public-key=//p' "$secret/key")" --secret-key "$TMP/key.fifo"
keyfile_refused "--allowed-keys /dev/zero" -i ebpfremote --remote-bind --remote-endpoints tcp://127.0.0.1:1 \
	--secret-key "$secret/key" --allowed-keys /dev/zero
keyfile_refused "--allowed-keys FIFO" -i ebpfremote --remote-bind --remote-endpoints tcp://127.0.0.1:1 \
	--secret-key "$secret/key" --allowed-keys "$TMP/key.fifo"

# ---- the member's capture works, with nothing effective in any thread while it runs ----
$AS_MEMBER "$EXT" -w "$home/out/member.pcapng" --comm tcp_client 2>"$TMP/mcap.err" &
mcap=$!
at_exit "kill -9 $mcap"
objs=$(attached_objects $mcap) || exit 1
for t in /proc/$mcap/task/*; do
	expect_eq "thread $(cat $t/comm): effective capabilities" 0000000000000000 "$(awk '/^CapEff:/ { print $2 }' $t/status)"
done
[ "$(awk '/^CapPrm:/ { print $2 }' /proc/$mcap/status)" != 0000000000000000 ] || fail "the capture holds no permitted capabilities"
out=$($TRAFFIC tcp 3) || fail "traffic"
member_connects() { $EBPFCAP -r "$home/out/member.pcapng" 2>/dev/null | grep -c "TCP_Connect .*tcp_client($(field "$out" client_pid))"; }
wait_for -p $mcap -l "$TMP/mcap.err" 10 "the member's capture to hold the 3 connects" at_least 3 member_connects
kill -INT $mcap
reap $mcap 15
expect_eq "member's capture: exit status" 0 "$status"
expect_released "the member's capture" "$objs"
ok "the member captured the 3 connects of pid $(field "$out" client_pid)"

# ---- the default exporter: group wireshark reads it, a stranger cannot reach it ----
$EBPFCAP --export 2>"$TMP/exporter.err" &
exp=$!
at_exit "kill -9 $exp"
objs=$(attached_objects $exp) || exit 1
expect_eq "the default socket's directory" "3770 root wireshark" "$(stat -c '%a %U %G' /run/ebpfcap)"
as_user $member timeout 60 "$PLAIN" -i ebpfremote --json -c 1 --comm tcp_client >"$TMP/member.out" 2>"$TMP/member.err" &
mcol=$!
as_user $stranger timeout 8 "$PLAIN" -i ebpfremote --json -c 1 >"$TMP/stranger.out" 2>"$TMP/stranger.err" &
scol=$!
i=0
until grep -q . "$TMP/member.out"; do
	i=$((i + 1)); [ $i -gt 80 ] && fail "the member's collector got nothing: $(cat "$TMP/member.err" "$TMP/exporter.err")"
	$TRAFFIC tcp 1 >/dev/null
	sleep 0.5
done
reap $mcol 10
expect_eq "member: collector exit status" 0 "$status"
ok "member of group wireshark reads the default exporter: $(head -c 120 "$TMP/member.out")"
reap $scol 20
expect_eq "stranger: records" 0 "$(wc -l <"$TMP/stranger.out")"
expect_eq "stranger: connecting to the socket" "Permission denied" "$(as_user $stranger $FLOOD unix /run/ebpfcap/export)"
kill -TERM $exp
reap $exp 15
expect_eq "default exporter: exit status" 0 "$status"
expect_released "the default exporter" "$objs"

# ---- the exporter against hostile peers: a 50 MB frame, 20 000 (un)subscriptions ----
port=$((29000 + $$ % 500 * 2))
rss() { awk '/^VmRSS:/ { print $2 }' /proc/$1/status 2>/dev/null || echo 0; }
$EBPFCAP --export=tcp://127.0.0.1:$port --insecure 2>"$TMP/flooded.err" &
exp=$!
at_exit "kill -9 $exp"
objs=$(attached_objects $exp) || exit 1
start_kb=$(rss $exp)
as_user $stranger $FLOOD frame 127.0.0.1 $port SUB 50 >"$TMP/frame.out" &
fl=$!
max_kb=0
for i in $(seq 1 40); do # 20 s at most, and 2 s after the sender is done
	r=$(rss $exp); [ "$r" -gt $max_kb ] && max_kb=$r
	kill -0 $fl 2>/dev/null || { [ -z "${done_at:-}" ] && done_at=$i; [ $i -ge $((done_at + 4)) ] && break; }
	sleep 0.5
done
reap $fl 60
sent=$(sed -n 's/^sent=//p' "$TMP/frame.out")
[ -n "$sent" ] && [ "$sent" -lt 50000000 ] || fail "the exporter took the whole 50 MB frame (sent=$sent)"
[ $((max_kb - start_kb)) -lt $EXPORTER_MAX_GROWTH_KB ] || fail "exporter grew from $start_kb to $max_kb kB under a 50 MB frame"
ok "50 MB frame: cut after $sent bytes; exporter RSS $start_kb -> at most $max_kb kB (bound: +$EXPORTER_MAX_GROWTH_KB)"
as_user $stranger $FLOOD subscribe 127.0.0.1 $port 10000 >/dev/null || fail "subscription flood"
sleep 1
kill -TERM $exp
reap $exp 15
expect_eq "flooded exporter: exit status" 0 "$status"
lines=$(grep -c 'collector' "$TMP/flooded.err")
[ "$lines" -le 12 ] || fail "20 000 (un)subscriptions made $lines lines: $(head -5 "$TMP/flooded.err")"
grep -q 'more subscriptions or leaves of collectors' "$TMP/flooded.err" || fail "no count line: $(cat "$TMP/flooded.err")"
ok "20 000 (un)subscriptions: $lines lines, e.g. $(grep 'more subscriptions' "$TMP/flooded.err" | tail -1)"
expect_released "the flooded exporter" "$objs"

# ---- a collector that binds, without CURVE, its reader stalled, 60 flooding exporters ----
mkfifo "$TMP/stalled"
sleep 120 <>"$TMP/stalled" & # holds the FIFO open, never reads
stall=$!
at_exit "kill -9 $stall"
$EBPFCAP -i ebpfremote --remote-bind --remote-endpoints tcp://127.0.0.1:$((port + 1)) -w "$TMP/stalled" 2>"$TMP/col.err" &
col=$!
at_exit "kill -9 $col"
sleep 0.5
start_kb=$(rss $col)
pids=""
for i in $(seq 1 60); do
	$PEER send tcp://127.0.0.1:$((port + 1)) flood$i 100000 --connect --wait-ms 3000 --hold-ms 100 >/dev/null 2>&1 &
	pids="$pids $!"
done
at_exit "kill -9 $pids"
max_kb=0
for i in $(seq 1 30); do
	r=$(rss $col); [ "$r" -gt $max_kb ] && max_kb=$r
	sleep 0.5
done
kill -0 $col || fail "the collector died under the flood: $(cat "$TMP/col.err")"
[ $max_kb -lt $COLLECTOR_MAX_KB ] || fail "collector RSS $max_kb kB under 60 flooding connections (bound $COLLECTOR_MAX_KB)"
ok "60 flooding connections, stalled reader: collector RSS $start_kb -> at most $max_kb kB (bound $COLLECTOR_MAX_KB)"
kill -9 $pids 2>/dev/null
kill -9 $stall $col 2>/dev/null
true
