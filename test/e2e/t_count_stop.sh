# -c 1 to a pipe: the capture stops by itself after its first event, the
# reader gets that one line (written as soon as the count is reached, before
# the programs are detached, and detached side by side since), and nothing
# of ours stays loaded.
. test/helpers/lib.sh
PORT=7471
$TRAFFIC serve 127.0.0.1 $PORT 1 >"$TMP/serve.out" &
server=$!
at_exit "kill $server"
wait_for -p $server 5 "the server to listen" grep -q listening "$TMP/serve.out"
( $EBPFCAP --port $PORT --event-types TCP_Connect -c 1; echo "exited $?" >&2 ) 2>"$TMP/cap.err" |
	while IFS= read -r l; do echo "line $l"; done >"$TMP/reader.out" &
pipeline=$!
capture_pid() { cap=$(pgrep -f "ebpfcap --port $PORT --event-types" | head -1) && [ -n "$cap" ]; }
wait_for -p $pipeline 10 "the capture to start" capture_pid
wait_attached "$cap"
$TRAFFIC clients 127.0.0.1 $PORT 1 >"$TMP/clients.out" || fail "client"
reap $pipeline 20
expect_eq "capture's own exit" "exited 0" "$(grep exited "$TMP/cap.err")"
expect_eq "lines read: one TCP_Connect" 1 "$(grep -c '^line .* TCP_Connect ' "$TMP/reader.out")"
expect_eq "its client" "$(field "$(cat "$TMP/clients.out")" client_pid)" \
	"$(sed -n 's/.*tcp_client(\([0-9]*\)).*/\1/p' "$TMP/reader.out")"
expect_no_programs
