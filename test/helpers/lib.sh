# Shared helpers for the shell tests (sourced). Tests run as root against
# the real kernel and the installed tshark + plugin (make check installs them).
BUILD=${1:-build}
EBPFCAP=$BUILD/ebpfcap
TRAFFIC=$BUILD/test/traffic
TMP=$(mktemp -d /tmp/ebpfcap-test.XXXXXX)
trap 'cleanup_test' EXIT
# Killed (Ctrl-C, or `| head` closing our output): clean up all the same; sh runs no EXIT trap then.
trap 'exit 1' HUP INT TERM PIPE
CLEANUPS=""

cleanup_test() {
	printf '%s\n' "$CLEANUPS" | while IFS= read -r c; do
		[ -n "$c" ] && eval "$c" >/dev/null 2>&1
	done
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}

# Remembers a command to run at exit (last added runs first), one per line.
at_exit() {
	CLEANUPS="$1
$CLEANUPS"
}

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# running PID: the process exists and is not a zombie (kill -0 still succeeds on one).
running() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" != Z ]; }
ended() { ! running "$1"; }

# wait_for [-p PID] [-l LOG] SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds, at most SECONDS * 10 times (as long again as COMMAND itself takes), and fails
# otherwise, naming WHAT (what we wait for), with what COMMAND said the last time and LOG.
# With -p, fails as soon as process PID (the one expected to bring it about) has ended.
# COMMAND runs in this shell: a function can set variables for the caller. The failure goes
# to stderr, so that a caller's $(...) does not swallow it (end that with || exit 1).
wait_for() {
	wait_pid="" wait_log=""
	while :; do
		case $1 in
		-p) wait_pid=$2; shift 2 ;;
		-l) wait_log=$2; shift 2 ;;
		*) break ;;
		esac
	done
	wait_seconds=$1 wait_what=$2 wait_tries=$(($1 * 10)); shift 2
	until "$@" >"$TMP/wait_for.out" 2>&1; do
		if [ -n "$wait_pid" ] && ended "$wait_pid"; then
			"$@" >"$TMP/wait_for.out" 2>&1 && return 0 # it did, just before it ended
			wait_failed "process $wait_pid ended while waiting for $wait_what"
		fi
		wait_tries=$((wait_tries - 1))
		[ $wait_tries -lt 0 ] && wait_failed "gave up after $wait_seconds s waiting for $wait_what"
		sleep 0.1
	done
}
wait_failed() {
	said=$(paste -sd ' ' "$TMP/wait_for.out")
	fail "$1${said:+ (last check: $said)}${wait_log:+; $wait_log: $(tail -n 20 "$wait_log" 2>/dev/null)}" >&2
}
# at_least N COMMAND...: COMMAND prints a number, N or more (for wait_for; it says the number).
at_least() {
	least=$1; shift
	got=$("$@")
	echo "$got"
	[ "${got:-0}" -ge "$least" ]
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
	ok "$1 = $3"
}

# Ids of loaded programs named ebpfcap_*, one per line.
program_ids() { bpftool prog show 2>/dev/null | sed -n 's/^\([0-9]*\): .* name ebpfcap_.*/\1/p'; }

# Programs already loaded are not this test's (another capture may be running).
OTHERS=$(program_ids)
OURS=""
not_others() { printf '%s\n' "$1" | grep -vxF "$OTHERS" | grep . || true; }

# Ids of programs with a link (attached to their tracepoint), one per line.
linked_ids() { bpftool link show 2>/dev/null | sed -n 's/.* prog \([0-9]*\).*/\1/p'; }

# A process and all its descendants (tshark -> dumpcap -> ebpfcap), one pid per line.
process_tree() {
	echo "$1"
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do process_tree "$child"; done
}

# Ids of the BPF programs a process tree holds open (bpf_objects_of, below).
tree_program_ids() {
	for p in $(process_tree "$1"); do bpf_objects_of "$p"; done | sed -n 's/^prog //p' | sort -u
}

# wait_attached [PID [LOG]]: waits until a capture has loaded and attached all its
# programs (at most 10 s) and notes their ids in $OURS. With the capture's PID (or $cap)
# its programs are told from other captures' by the descriptors it holds, and its end
# fails the wait at once (showing LOG, its stderr); without, every program loaded since
# the test began counts as ours. Loaded is not enough: programs are attached one by one
# after all are loaded, and traffic sent before would go unseen.
wait_attached() {
	owner=${1:-${cap:-}}
	wait_for ${owner:+-p "$owner"} ${2:+-l "$2"} 10 "the capture's programs to be attached" ours_attached
}
ours_attached() {
	if [ -n "$owner" ]; then OURS=$(tree_program_ids "$owner"); else OURS=$(not_others "$(program_ids)"); fi
	linked=$(linked_ids)
	unlinked=$(printf '%s\n' "$OURS" | grep -vxF "${linked:-none}" || true) # grep -F '' matches all
	[ -n "$OURS" ] && [ -z "$unlinked" ]
}

# start_ebpfcap ERRFILE ARGS...: ebpfcap ARGS in the background, its stderr to ERRFILE,
# ended (SIGTERM) at exit; sets $cap and returns once its programs are attached.
start_ebpfcap() {
	err=$1; shift
	$EBPFCAP "$@" 2>"$err" &
	cap=$!
	at_exit "kill $cap"
	wait_attached $cap "$err"
}

# stop_capture [NAME]: ends the capture $cap as Wireshark does (SIGTERM, once the last
# exchange's packets have left the reorder window); expects exit status 0 and none of its
# programs left.
stop_capture() {
	sleep 0.3
	kill -TERM $cap
	reap $cap
	expect_eq "${1:+$1: }capture exit status" 0 "$status"
	expect_no_programs
}

# Waits until none of the capture's programs is loaded (at most 5 s); fails otherwise.
expect_no_programs() {
	[ -z "$OURS" ] || wait_for 5 "our BPF programs to be unloaded" ours_unloaded
	OTHERS=$(program_ids)
	ok "no BPF program of ours left"
}

ours_unloaded() {
	left=$(program_ids | grep -xF "$OURS" | tr '\n' ' ')
	[ -z "$left" ] || { echo "still loaded: $left"; return 1; }
}

# Waits for a child to end (at most $2 s, default 10), then reaps it: sets $status.
reap() {
	wait_for ${2:-10} "process $1 to exit" ended "$1"
	wait "$1"; status=$?
}

# key=value from the traffic generator's output line.
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Decoded events of a capture through tshark and the plugin, one per line.
tshark_fields() {
	file=$1; shift
	tshark -r "$file" -T fields -E separator=' ' "$@" 2>"$TMP/tshark.err" || { cat "$TMP/tshark.err"; fail "tshark -r failed"; }
}

# The BPF objects a process holds, from its descriptors ("prog 12", "map 7",
# "link 3", one per line): exactly its own, whatever other captures run.
bpf_objects_of() {
	cat /proc/$1/fdinfo/* 2>/dev/null | sed -n 's/^\(prog\|map\|link\)_id:[[:space:]]*\([0-9][0-9]*\)$/\1 \2/p' | sort -u
}

# Waits until process $1 has attached every program it loaded (a link per
# program; at most 10 s) and prints its objects: keep them for expect_released,
# as objs=$(attached_objects PID) || exit 1.
attached_objects() {
	wait_for -p $1 10 "process $1 to attach its programs" all_linked $1
	printf '%s\n' "$objs"
}
# all_linked PID: sets $objs; true when it holds a link for each of its programs.
all_linked() {
	objs=$(bpf_objects_of $1)
	links=$(printf '%s\n' "$objs" | grep -c '^link ')
	[ "$links" -gt 0 ] && [ "$links" -eq "$(printf '%s\n' "$objs" | grep -c '^prog ')" ]
}

# Every BPF program, map and link loaded now, as bpf_objects_of prints them.
bpf_objects_loaded() {
	for kind in prog map link; do
		bpftool $kind show 2>/dev/null | sed -n "s/^\([0-9][0-9]*\): .*/$kind \1/p"
	done
}

# none_loaded OBJECTS: none of them is loaded now.
none_loaded() {
	left=$(bpf_objects_loaded | grep -xF "$1" | tr '\n' ' ')
	[ -z "$left" ] || { echo "still loaded: $left"; return 1; }
}

# expect_released WHAT OBJECTS: none of them is loaded any more (waits at most 5 s).
expect_released() {
	wait_for 5 "$1: its BPF objects to be released" none_loaded "$2"
	ok "$1: its $(printf '%s\n' "$2" | grep -c .) BPF programs, maps and links are gone"
}

# expect_error NAME EXPECTED_SUBSTRING CMD...: bad input gets one line on stderr and a non-zero exit.
expect_error() {
	name=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" && fail "$name: exited 0"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$name: stderr is not one line: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "$name: stderr lacks '$want': $(cat "$TMP/err")"
	ok "$name: $(cat "$TMP/err")"
}

# traffic ARGS...: runs the generator in the background so its own pid is known
# ($tpid); sets $line, $client, $server and $port from what it prints.
traffic() {
	$TRAFFIC "$@" >"$TMP/traffic.out" &
	tpid=$!
	wait $tpid || fail "traffic $* failed"
	line=$(cat "$TMP/traffic.out")
	client=$(field "$line" client_pid); server=$(field "$line" server_pid); port=$(field "$line" port)
}

# gate_traffic: one connection, waiting behind a gate ($gen, its pid, is known
# before it runs); open_gate lets it go and sets $line, $client and $port.
gate_traffic() {
	rm -f "$TMP/gate"; mkfifo "$TMP/gate"
	sh -c "read go <'$TMP/gate'; exec $TRAFFIC tcp 1" >"$TMP/gen.out" &
	gen=$!
	at_exit "kill -9 $gen"
}
open_gate() {
	echo go >"$TMP/gate"
	wait $gen || fail "traffic failed"
	line=$(cat "$TMP/gen.out")
	client=$(field "$line" client_pid); port=$(field "$line" port)
}

# extcap_of TSHARK_PID ERRFILE: the pid of the ebpfcap that tshark started (waits at most 10 s).
extcap_of() {
	wait_for -p "$1" -l "$2" 10 "tshark to start the extcap" extcap_child "$1"
	extcap_child "$1"
}
extcap_child() { pgrep -P "$1" -f "ebpfcap --capture "; }

# start_collector NAME ARGS...: the ebpfremote collector in the background,
# its capture in $TMP/NAME.pcapng and its stderr in $TMP/NAME.err; sets $col.
start_collector() {
	name=$1; shift
	$EBPFCAP --extcap-interface ebpfremote --capture --fifo "$TMP/$name.pcapng" "$@" 2>"$TMP/$name.err" &
	col=$!
	at_exit "kill -9 $col"
}
