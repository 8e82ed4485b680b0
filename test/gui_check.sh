#!/bin/sh
# The real Wireshark GUI (Debian's Qt wireshark 4.0) under Xvfb, with this
# build's ebpfcap: its welcome page lists "eBPF Events", "Remote eBPF
# Events (ZMQ)" and the veths of two pods and a container, and the gear of a
# listed interface opens ebpfcap's options dialog; a double click on eBPF
# Events captures. Screenshots of the list, the dialog and the capture go to
# $GUI_SHOTS (default BUILD/gui; GUI_SHOTS=docs/images for the README's).
#
# Asserted, without OCR: Wireshark ran ebpfcap --extcap-interfaces and got
# the pod and container names; the entries of a pod, of the remote
# interface and of eBPF Events are in Wireshark's own list (found by typing
# their names there: Qt's keyboard search), and the gear of each opens a
# window Wireshark titles "Interface Options: <that entry>" (eBPF Events's
# after asking ebpfcap --extcap-config); no field of them is painted invalid
# (which would disable Save and Start); the double click starts ebpfcap with
# the Pod option saved in the profile, Capture > Stop ends it with no BPF
# program left, and Wireshark's own capture file holds exactly the pod's
# three accepts and nothing else. Pixels serve twice: the selection
# colour finds the row to click, the invalid colour finds bad fields. That
# the text looks right on screen is for a human to judge from the PNGs.
#
# Usage: sh test/gui_check.sh BUILD_DIR (make gui-check); needs GUI_PACKAGES.
. test/helpers/lib.sh
. test/helpers/docker.sh
for t in Xvfb wireshark xdotool import convert compare; do
	command -v $t >/dev/null || fail "$t is missing (make gui-check installs GUI_PACKAGES)"
done
[ -x "$EBPFCAP" ] || fail "$EBPFCAP is missing (make all)"
SHOTS=${GUI_SHOTS:-$BUILD/gui}
mkdir -p "$SHOTS" "$BUILD/gui"

# Two pods (the labels a kubelet sets) and a plain container, each a veth;
# the checkout pod serves TCP on port 8080.
docker_up
image_up
PODS="ebpfcap-gui-checkout ebpfcap-gui-dns ebpfcap-gui-web"
"$DOCKER" rm -f $PODS >/dev/null 2>&1
at_exit "$DOCKER rm -f $PODS"
pod() { # pod CONTAINER POD NAMESPACE APP
	"$DOCKER" run -d --name "$1" --label io.kubernetes.pod.name="$2" --label io.kubernetes.pod.namespace="$3" \
		--label io.kubernetes.container.name="$4" $IMAGE sh -c 'while true; do nc -l -p 8080 >/dev/null; done' \
		>/dev/null || fail "docker run $1"
}
pod ebpfcap-gui-checkout checkout-7d9f4c8b6-x2lqp shop checkout
pod ebpfcap-gui-dns coredns-5d78c9869d-7xk2p kube-system coredns
"$DOCKER" run -d --name ebpfcap-gui-web $IMAGE sleep 300 >/dev/null || fail "docker run ebpfcap-gui-web"
POD_IP=$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}' ebpfcap-gui-checkout)

# A personal config dir: ebpfcap behind a wrapper that logs how Wireshark
# calls it (and what it answered to --extcap-interfaces). Wireshark may warn
# about running as root (privs.warn_if_elevated; 4.0 here did not): off.
export WIRESHARK_CONFIG_DIR="$TMP/wireshark"
mkdir -p "$WIRESHARK_CONFIG_DIR/extcap"
CALLS="$TMP/calls.log"
cat >"$WIRESHARK_CONFIG_DIR/extcap/ebpfcap" <<EOF
#!/bin/sh
echo "\$*" >>"$CALLS"
case " \$* " in *" --extcap-interfaces "*) "$(realpath "$EBPFCAP")" "\$@" | tee "$TMP/interfaces.txt"; exit 0 ;; esac
exec "$(realpath "$EBPFCAP")" "\$@"
EOF
chmod +x "$WIRESHARK_CONFIG_DIR/extcap/ebpfcap"
echo "privs.warn_if_elevated: FALSE" >"$WIRESHARK_CONFIG_DIR/recent_common"
# The eBPF profile of this tree, with eBPF Events's Pod option saved as the
# options dialog saves it, and no bytes pane.
PROFILE="$WIRESHARK_CONFIG_DIR/profiles/eBPF"
mkdir -p "$PROFILE"
cp dissector/profile/eBPF/* "$PROFILE/"
echo "extcap.ebpfevents.pod: checkout-7d9f4c8b6-x2lqp" >>"$PROFILE/preferences"
echo "gui.byte_view_show: FALSE" >"$PROFILE/recent"
# Wireshark's temporary capture files go to TMPDIR.
export XDG_RUNTIME_DIR="$TMP/xdg" TMPDIR="$TMP/capture" NO_AT_BRIDGE=1
mkdir -m 700 "$XDG_RUNTIME_DIR" && mkdir "$TMPDIR"

# Xvfb picks a free display itself and writes its number to fd 3.
Xvfb -displayfd 3 -screen 0 1600x1200x24 -nolisten tcp 3>"$TMP/display" >"$TMP/xvfb.log" 2>&1 &
xvfb=$!
at_exit "kill $xvfb; wait $xvfb" # reaped here: no "Terminated" on the output
wait_for -p $xvfb -l "$TMP/xvfb.log" 10 "Xvfb to start" test -s "$TMP/display"
export DISPLAY=:$(cat "$TMP/display")

# Its own process group, so that its helpers (dumpcap, extcaps) end with it.
setsid wireshark -C eBPF >"$TMP/wireshark.log" 2>&1 &
ws=$!
at_exit "kill -TERM -$ws"
at_exit "import -window root $BUILD/gui/last-screen.png" # to see why, if it failed

window() { xdotool search --name "$1" 2>/dev/null | head -1; }
has_window() { [ -n "$(window "$1")" ]; }
no_window() { ! has_window "$1"; }
main_listed() { grep -q -- '--extcap-dlts --extcap-interface ebpfevents' "$CALLS"; }

wait_for -l "$TMP/wireshark.log" 60 "the Wireshark main window" has_window '^The Wireshark Network Analyzer$'
MAIN=$(window '^The Wireshark Network Analyzer$')
# Wide enough that the list needs no horizontal scrolling (which may hide
# the selection), tall enough that it needs no vertical one.
xdotool windowmove "$MAIN" 0 0 windowsize "$MAIN" 1300 960
wait_for -l "$TMP/wireshark.log" 60 "Wireshark to ask ebpfcap for its interfaces and their link types" main_listed
for want in 'eBPF Events' 'Remote eBPF Events (ZMQ)' 'Pod checkout-7d9f4c8b6-x2lqp, Namespace shop (veth' \
	'Pod coredns-5d78c9869d-7xk2p, Namespace kube-system (veth' 'Container ebpfcap-gui-web (veth'; do
	grep -qF "{display=$want" "$TMP/interfaces.txt" || fail "ebpfcap did not offer '$want' to Wireshark"
done
ok "Wireshark ran ebpfcap --extcap-interfaces: eBPF Events, Remote, two pods and a container offered"

# Interfaces come and go on a shared machine, and each change makes
# Wireshark ask every extcap again and redraw the list (selection lost).
# quiet: up to 20 s until 3 s have passed without a call to ebpfcap.
quiet() {
	i=0
	until [ $(($(date +%s) - $(stat -c %Y "$CALLS"))) -ge 3 ] || [ $i -gt 200 ]; do
		i=$((i + 1)); sleep 0.1
	done
}

AWAY="mousemove 1590 1190" # off the window: no hover highlight in the list
xdotool $AWAY
HIGHLIGHT='srgb(48,140,198)' # Qt's default selection colour (Fusion style)
# Sets W H X Y to the box of the selected row: runs of the highlight colour
# at least 40 pixels wide (gaps between words and small icons are narrower).
selected_row() {
	box=$(import -window "$MAIN" png:- | convert - -fuzz 6% -fill black +opaque "$HIGHLIGHT" \
		-fill white -opaque "$HIGHLIGHT" -morphology Open Rectangle:40x1 -format '%@' info: 2>/dev/null)
	set -- $(echo "$box" | tr 'x+' '  ')
	W=$1 H=$2 X=$3 Y=$4
	[ "$H" -ge 10 ] && [ "$H" -le 40 ] && [ "$W" -ge 200 ]
}

# Keys reach the list after a click on one of its rows (not on a gear): the
# selected one, or where one was selected before if a redraw lost it. With
# no window manager, focus does not come back by itself after a dialog.
LIST=""
focus_list() {
	selected_row && LIST="$X $W $Y $H"
	[ -n "$LIST" ] || return 1
	set -- $LIST
	xdotool mousemove $(($1 + $2 / 2)) $(($3 + $4 / 2)) click 1 $AWAY
	sleep 0.2
}

# select_entry ENTRY: selects the list's entry that starts with ENTRY by
# typing it (Qt's keyboard search); sets W H X Y to its row. Wireshark sets
# the search interval to 1 s: a pause first starts a new search.
select_entry() {
	quiet
	sleep 1.1
	focus_list || return 1
	xdotool type --delay 40 "$1"
	sleep 0.5
	selected_row
}

wait_window() { # wait_window NAME_REGEX: sets WIN, at most 3 s
	i=0
	until WIN=$(window "$1") && [ -n "$WIN" ]; do
		i=$((i + 1)); [ $i -gt 30 ] && return 1
		sleep 0.1
	done
}

# open_options ENTRY: selects it, clicks the gear at the start of its row
# and waits for the dialog titled after it. The list is redrawn when any
# interface on this machine comes or goes, so a click may miss: retried.
open_options() {
	for try in 1 2 3 4 5; do
		select_entry "$1" || { sleep 1; continue; }
		xdotool mousemove $((X + 11)) $((Y + H / 2)) click 1 $AWAY
		wait_window 'Interface Options: ' || { echo "no dialog opened (the list was redrawn?), again"; continue; }
		DIALOG=$WIN
		title=$(xdotool getwindowname "$DIALOG")
		case "$title" in *"Interface Options: $1"*) ok "dialog '$title'"; sleep 0.5; return 0 ;; esac
		echo "another row was hit ('$title'), again"
		close_dialog
	done
	fail "'$1': its options dialog did not open in 5 tries"
}
# no_invalid_fields WHAT PNG: Wireshark paints a field it finds invalid
# #FFAFAF, and then disables Save and Start: an option ebpfcap declares
# must be valid while empty.
INVALID='srgb(255,175,175)'
no_invalid_fields() {
	n=$(convert "$2" -fuzz 3% -fill black +opaque "$INVALID" -fill white -opaque "$INVALID" \
		-format '%[fx:round(mean*w*h)]' info:)
	[ "$n" -lt 50 ] || fail "$1: a field is marked invalid ($n pixels of $INVALID): Save and Start are disabled"
	ok "$1: no field marked invalid"
}
close_dialog() {
	xdotool windowfocus "$DIALOG" key Escape
	wait_for 5 "the options dialog to close" no_window 'Interface Options: '
}

# The interface list, with eBPF Events selected.
for try in 1 2 3 4; do
	[ $try = 4 ] && fail "no eBPF Events entry to select in the list (highlight box '$box')"
	select_entry 'eBPF Events' && break
	sleep 1
done
import -window "$MAIN" "$TMP/list.png" || fail "screenshot of the interface list"

# The rows of eBPF Events, the remote interface and a pod are in Wireshark's
# own list; their gears open ebpfcap's options, asked from ebpfcap.
for entry in 'Pod checkout-7d9f4c8b6-x2lqp, Namespace shop' 'Remote eBPF Events (ZMQ)' 'eBPF Events'; do
	: >"$CALLS"
	open_options "$entry"
	import -window "$DIALOG" "$TMP/options.png" || fail "screenshot of the options dialog"
	no_invalid_fields "'$entry', first tab" "$TMP/options.png"
	[ "$entry" = 'eBPF Events' ] && break
	close_dialog
done
grep -q -- '--extcap-config --extcap-interface ebpfevents' "$CALLS" ||
	fail "the eBPF Events dialog did not ask ebpfcap --extcap-config (calls: $(tr '\n' ';' <"$CALLS"))"
ok "the eBPF Events dialog asked ebpfcap --extcap-config --extcap-interface ebpfevents"
# The second tab (Advanced) sits right of "Filter" at the dialog's top left.
xdotool mousemove --window "$DIALOG" 115 26 click 1 $AWAY
sleep 0.5
import -window "$DIALOG" "$TMP/advanced.png" || fail "screenshot of the Advanced tab"
[ "$(compare -metric AE "$TMP/options.png" "$TMP/advanced.png" null: 2>&1)" -gt 1000 ] ||
	fail "could not switch the eBPF Events dialog to its Advanced tab"
no_invalid_fields "'eBPF Events', Advanced tab" "$TMP/advanced.png"
close_dialog

# A capture started from the list: double-click eBPF Events, traffic to the
# checkout pod, Capture > Stop (Ctrl+E, keys after a click in the packet
# list). A miss may start another interface: it is stopped and retried.
capturing() { xdotool getwindowname "$MAIN" | grep -q '^Capturing from'; }
stop_capture() {
	xdotool mousemove --window "$MAIN" 500 300 click 1 $AWAY key ctrl+e
	wait_for -l "$TMP/wireshark.log" 20 "the capture to stop (Capture > Stop)" sh -c "! xdotool getwindowname $MAIN | grep -q '^Capturing from'"
}
# A capture starts at once (Wireshark runs ebpfcap --capture, or dumpcap
# for a host interface); the title says so once ebpfcap has loaded its
# programs, which takes a while on a loaded machine.
started() { grep -q -- '--capture' "$CALLS" || capturing; }
OTHERS=$(program_ids) # programs loaded by now are not this capture's
for try in 1 2 3 4; do
	[ $try = 4 ] && fail "no capture of eBPF Events started by a double click in 3 tries"
	select_entry 'eBPF Events' || { sleep 1; continue; }
	: >"$CALLS"
	xdotool mousemove $((X + W / 2)) $((Y + H / 2)) click --repeat 2 --delay 80 1 $AWAY
	i=0
	until started || [ $i -gt 30 ]; do i=$((i + 1)); sleep 0.1; done
	if ! started; then # a missed row may be one that asks for options first
		has_window 'Interface Options: ' && DIALOG=$(window 'Interface Options: ') && close_dialog
		echo "no capture started (the list was redrawn?), again"
		continue
	fi
	wait_for -l "$TMP/wireshark.log" 30 "Wireshark's title to say it captures" capturing
	case "$(xdotool getwindowname "$MAIN")" in
	'Capturing from eBPF Events'*) break ;;
	*) echo "another capture started ($(xdotool getwindowname "$MAIN")), again"; stop_capture ;;
	esac
done
ok "double click: $(xdotool getwindowname "$MAIN")"
grep -q -- "--capture --extcap-interface ebpfevents .*--pod checkout-7d9f4c8b6-x2lqp" "$CALLS" ||
	fail "ebpfcap was not started with the saved Pod option: $(grep -- --capture "$CALLS")"
ok "the saved Pod option reached ebpfcap: --pod checkout-7d9f4c8b6-x2lqp"
wait_attached
# Three connections; nc in the pod listens again a moment after each.
for c in 1 2 3; do
	wait_for 10 "a connection to the checkout pod" $TRAFFIC bulk "$POD_IP" 8080 4
done
sleep 1
stop_capture
expect_no_programs

file=$(ls "$TMPDIR"/wireshark_*.pcapng) || fail "no capture file of Wireshark's in $TMPDIR"
expect_eq "the pod's accepts in Wireshark's capture" 3 \
	"$(tshark_fields "$file" -Y 'ebpf.type == "TCP_Accept" && ebpf.comm == "nc" && ebpf.pod == "checkout-7d9f4c8b6-x2lqp"' -e ebpf.pid | wc -l)"
expect_eq "events of others in it" 0 "$(tshark_fields "$file" -Y 'ebpf && !(ebpf.pod == "checkout-7d9f4c8b6-x2lqp")' -e ebpf.pid | wc -l)"
# The picture: columns fitted, the first event selected, its eBPFFlow tree
# open (the last item of the details pane, below Frame and EXPORTED_PDU).
xdotool key ctrl+shift+r Home Tab End shift+Right
sleep 1
import -window "$MAIN" "$TMP/capture.png" || fail "screenshot of the capture"

# Small PNGs for docs/: a palette is plenty for a UI.
for s in list options capture; do
	convert "$TMP/$s.png" -strip -colors 64 "PNG8:$SHOTS/wireshark-$s.png" || fail "convert $s.png"
	ok "screenshot $SHOTS/wireshark-$s.png ($(wc -c <"$SHOTS/wireshark-$s.png") bytes)"
done

kill -TERM -$ws
reap $ws 2>/dev/null # no "Terminated" from the shell
# No capture was started, and nothing of the process group is left that
# could hold a BPF program (bpftool would also show other helpers' captures).
wait_for -l "$TMP/wireshark.log" 10 "Wireshark's helpers (dumpcap, extcaps) to end" sh -c "! kill -0 -$ws"
ok "Wireshark and its helpers (dumpcap, extcaps) ended"
