# Captures without root, installed as `make install` does it: a user in
# group wireshark runs tshark -i ebpfevents (and the CLI) on an extcap that
# is root:wireshark 0750 with the file capabilities `ebpfcap --capabilities`
# prints (the list make install gives, from extcap/privileges.c). Without
# them, or without tracefs, the user gets one line that names what is missing.
. test/helpers/lib.sh

# The one list (extcap/privileges.c); make install's setcap reads it the same way.
CAPS=$($EBPFCAP --capabilities)
case "$CAPS" in cap_*=ep) ok "the capability set: $CAPS" ;; *) fail "ebpfcap --capabilities printed '$CAPS'" ;; esac

groupadd -f -r wireshark
user=ebpfnr$$
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -G wireshark $user || fail "useradd $user"
# Runs last: the user's processes (an extcap ending on its parent's death) go first.
at_exit "i=0; while pgrep -u $user >/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done; userdel -f $user"
uid=$(id -u $user); gid=$(id -g $user)

# File capabilities count only on a filesystem mounted without nosuid (a tmpfs /tmp often is).
for base in "$TMP" /var/tmp "$(realpath "$BUILD")"; do
	findmnt -n -o OPTIONS -T "$base" | tr ',' '\n' | grep -qx nosuid || break
	base=""
done
[ -n "$base" ] || fail "no directory here is on a filesystem that honours file capabilities (all nosuid)"
[ "$base" = "$TMP" ] && chmod 0711 "$TMP"
home=$(mktemp -d "$base/ebpfcap-nonroot.XXXXXX")
at_exit "rm -rf $home"
mkdir -p "$home/wireshark/extcap" "$home/nocaps/extcap"
chown -R $user: "$home"
ok "file capabilities work under $base ($(findmnt -n -o FSTYPE -T "$base"), no nosuid)"

# install_extcap PATH [CAPS]: as make install does: root:wireshark 0750, setcap last (chgrp clears it).
install_extcap() {
	install -m 0750 -g wireshark "$EBPFCAP" "$1"
	[ -z "$2" ] || setcap "$2" "$1" || fail "setcap $2 $1"
}
EXT=$home/wireshark/extcap/ebpfcap
install_extcap "$EXT" "$CAPS"
getcap "$EXT" | grep -q cap_bpf || fail "the filesystem under $base kept no file capabilities"

# An administrator mounts tracefs once (systemd does at boot); the user cannot.
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
AS_USER="setpriv --reuid=$uid --regid=$gid --init-groups env HOME=$home WIRESHARK_CONFIG_DIR=$home/wireshark"


# 1. tshark as the user: the 5 records of one gated connection (listen, connect, accept, two
#    closes), then tshark stops by itself.
gate_traffic
$AS_USER tshark -i ebpfevents -o extcap.ebpfevents.pid:$gen -c 5 -a duration:50 \
	-w "$home/tshark.pcapng" >/dev/null 2>"$TMP/tshark.err" &
ts=$!
at_exit "kill -9 $ts"
cap=$(extcap_of $ts "$TMP/tshark.err") || exit 1
objs=$(attached_objects $cap) || exit 1
expect_eq "the extcap runs as" $user "$(ps -o user= -p $cap)"
ok "with capabilities $(getpcaps $cap 2>&1 | sed 's/.*: //')"
open_gate
reap $ts 30
expect_eq "tshark's exit status" 0 "$status"
expect_released "the user's tshark capture" "$objs"
expect_eq "events as the user saw them (pid comm type)" \
"$(field "$line" client_pid) tcp_client 1
$(field "$line" server_pid) tcp_server 3" \
	"$(tshark_fields "$home/tshark.pcapng" -Y 'ebpf.type == 1 || ebpf.type == 3' -e ebpf.pid -e ebpf.comm -e ebpf.type | sort -k3)"
expect_eq "closes" 2 "$(tshark_fields "$home/tshark.pcapng" -Y 'ebpf.type == "TCP_Close"' -e ebpf.pid | wc -l)"
expect_eq "listens" 1 "$(tshark_fields "$home/tshark.pcapng" -Y 'ebpf.type == "TCP_Listen"' -e ebpf.pid | wc -l)"

# 2. The CLI as the user: a connection root held open before the capture is
# in its snapshot, owner and program path read from root's /proc/PID (CAP_SYS_PTRACE).
$TRAFFIC hold 20000 >"$TMP/hold.out" &
hold=$!
at_exit "kill -9 $hold"
wait_for -p $hold 10 "hold to connect" grep -q 'client_pid=' "$TMP/hold.out"
hold_line=$(cat "$TMP/hold.out")
$AS_USER $EXT -w "$home/cli.pcapng" --port "$(field "$hold_line" port)" 2>"$TMP/cli.err" &
cap=$!
objs=$(attached_objects $cap) || exit 1
kill -INT $cap
reap $cap
expect_eq "the CLI's exit status" 0 "$status"
expect_released "the user's CLI capture" "$objs"
expect_eq "snapshot of root's open connection (pid comm exe)" \
"$(field "$hold_line" client_pid) tcp_client $(realpath "$TRAFFIC")
$(field "$hold_line" server_pid) tcp_server $(realpath "$TRAFFIC")" \
	"$(tshark_fields "$home/cli.pcapng" -Y 'ebpf.type == "Flow_Snapshot"' -e ebpf.pid -e ebpf.comm -e ebpf.exe | sort -k2)"
kill $hold

# 3. Without capabilities: one line naming them all, before anything is loaded or written.
install_extcap "$home/nocaps/extcap/ebpfcap"
$AS_USER "$home/nocaps/extcap/ebpfcap" -w "$home/none.pcapng" 2>"$TMP/nocaps.err"
expect_eq "no capabilities: exit status" 1 $?
expect_eq "no capabilities: stderr" "ebpfcap: cannot load eBPF programs: missing CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE (run as root, or install with 'make install', which grants them to group wireshark)" \
	"$(cat "$TMP/nocaps.err")"
[ -e "$home/none.pcapng" ] && fail "no capabilities: an output file was created"
# ... which is what a Wireshark user reads:
$AS_USER env WIRESHARK_CONFIG_DIR="$home/nocaps" tshark -i ebpfevents -a duration:20 -w "$home/none.pcapng" \
	>/dev/null 2>"$TMP/tshark-nocaps.err"
grep -qxF "tshark: Error by extcap pipe: $(cat "$TMP/nocaps.err")" "$TMP/tshark-nocaps.err" ||
	fail "tshark does not show the line: $(cat "$TMP/tshark-nocaps.err")"
ok "tshark shows it: Error by extcap pipe: ebpfcap: cannot load eBPF programs: missing CAP_BPF, ..."

# Each capability taken away alone is named alone (CAP_NET_RAW: packet interfaces only).
ifname=$($EBPFCAP --extcap-interfaces | sed -n 's/^interface {value=\(ebpf_[^}]*\)}.*packets and eBPF events.*/\1/p' | head -1)
for cap in $(echo "${CAPS%=ep}" | tr ',' ' '); do
	install_extcap "$home/nocaps/extcap/ebpfcap" "$(echo "$CAPS" | sed "s/$cap,//;s/,$cap=/=/")"
	iface=ebpfevents
	if [ $cap = cap_net_raw ]; then
		[ -n "$ifname" ] || { ok "without cap_net_raw: not checked, no interface for packets here"; continue; }
		iface=$ifname
	fi
	$AS_USER "$home/nocaps/extcap/ebpfcap" -i $iface -w "$home/none.pcapng" 2>"$TMP/one.err" && fail "ran without $cap"
	expect_eq "without $cap: lines on stderr" 1 "$(wc -l <"$TMP/one.err")"
	upper=$(echo $cap | tr a-z A-Z)
	grep -q "missing $upper (run as root" "$TMP/one.err" || fail "without $cap: $(cat "$TMP/one.err")"
	ok "without $cap: $(cat "$TMP/one.err")"
done

# Not in group wireshark: not even allowed to run it, as with dumpcap. Through
# env: setpriv still holds root's capabilities when it execs (they go at the
# exec), so its own exec passes the permission check; env holds none.
setpriv --reuid=$uid --regid=$gid --clear-groups env "$EXT" --version 2>/dev/null && fail "ran outside group wireshark"
ok "a user outside group wireshark cannot run it"

# tracefs not mounted (a private mount namespace): said, not asked for CAP_SYS_ADMIN.
unshare -m --propagation private sh -c "umount /sys/kernel/tracing && $AS_USER $EXT -w $home/none.pcapng" 2>"$TMP/tracefs.err" &&
	fail "ran without tracefs"
expect_eq "without tracefs: stderr" "ebpfcap: tracefs is not mounted at /sys/kernel/tracing and mounting it failed (Operation not permitted): run 'mount -t tracefs nodev /sys/kernel/tracing' as root" \
	"$(cat "$TMP/tracefs.err")"
