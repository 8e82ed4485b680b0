#!/bin/sh
# Loopback storms, each scenario once per round, rounds alternating:
#   tcp: connect, 64 bytes each way, close. Every connection is exactly 4
#        events (connect, accept, a close on each side).
#   udp: request/response datagrams. The kernel sums each flow (process,
#        direction, 5-tuple) and ebpfcap reports it once per --udp-interval,
#        so the number of records depends on the interval and on timing;
#        what is exact is the datagrams they sum: the packets= of the load's
#        UDP_Send records must add up to the datagrams it sent (2 per
#        request), and the same for UDP_Recv.
# Usage: storm.sh BUILD tcp|udp ROUNDS N OUT.md   (N connections or requests per run)
build=$1 proto=$2 rounds=$3 n=$4 out=$5 k=4 port=7811
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
ops=$((n / k * k))
ringbuf=65536
if [ "$proto" = tcp ]; then
	types=TCP_Connect,TCP_Accept,TCP_Close
	count_port=$port # every TCP event of the load has the server's port at one end
	expected=$((ops * 4))
	scenarios="alone kernel kernel10 file tshark"
	command -v bpftrace >/dev/null && scenarios="$scenarios bpftrace"
else
	types=UDP_Send,UDP_Recv
	count_port=0 # a client's receiving flow does not know its peer: counted by process name only
	expected=$((ops * 2)) # datagrams sent, and as many received
	scenarios="alone kernel file file100 accept"
fi

# One line per event we report: connect and close from the state tracepoint, accept from the syscall.
BPFTRACE_TCP='tracepoint:sock:inet_sock_set_state /args->protocol == 6 && (args->newstate == 2 || args->newstate == 7)/ {
	printf("%d %s %s %d %d\n", pid, comm, args->newstate == 2 ? "connect" : "close", args->sport, args->dport); }
tracepoint:syscalls:sys_exit_accept4, tracepoint:syscalls:sys_exit_accept /args->ret >= 0/ {
	printf("%d %s accept %d\n", pid, comm, args->ret); }'

# start SCENARIO: starts the tracer in the background, sets $tracer (empty: none).
start() {
	tracer=
	case $1 in
	alone) return ;;
	kernel) $kdrain $types $ringbuf 0 $count_port >"$tmp/kdrain.out" 2>"$tmp/err" & tracer=$! ;;
	kernel10) $kdrain $types $ringbuf 10 $count_port >"$tmp/kdrain.out" 2>"$tmp/err" & tracer=$! ;;
	file) $ebpfcap -w "$tmp/cap.pcapng" --event-types $types --ringbuf-size $ringbuf 2>"$tmp/err" & tracer=$! ;;
	file100) $ebpfcap -w "$tmp/cap.pcapng" --event-types $types --ringbuf-size $ringbuf --udp-interval 100 2>"$tmp/err" &
		tracer=$! ;;
	# TCP_Accept needs sys_exit_accept{,4}: what syscall tracepoints alone cost every syscall of the storm.
	accept) $ebpfcap -w "$tmp/cap.pcapng" --event-types $types,TCP_Accept --ringbuf-size $ringbuf 2>"$tmp/err" &
		tracer=$! ;;
	tshark)
		mkfifo "$tmp/fifo"
		tshark -r "$tmp/fifo" -q -z ebpfflow_proc,tree >"$tmp/tshark.out" 2>/dev/null &
		reader=$!
		$ebpfcap -w "$tmp/fifo" --event-types $types --ringbuf-size $ringbuf 2>"$tmp/err" &
		tracer=$! ;;
	bpftrace)
		bpftrace -e "$BPFTRACE_TCP" >"$tmp/bt.out" 2>"$tmp/err" &
		tracer=$!
		wait_fd $tracer perf_event
		sleep 1 # bpftrace attaches probe by probe
		return ;;
	esac
	[ -n "$tracer" ] && wait_fd $tracer eventpoll
}

# kept SCENARIO: events (tcp) or "sent_datagrams records received_datagrams" (udp) of the load.
kept() {
	case $proto:$1 in
	*:alone) [ $proto = tcp ] && echo $expected || echo "$expected 0 $expected" ;;
	tcp:kernel*) field "$(cat "$tmp/kdrain.out")" load_events ;;
	udp:kernel) echo "$(field "$(cat "$tmp/kdrain.out")" load_packets) $(field "$(cat "$tmp/kdrain.out")" load_events) -" ;;
	tcp:file) load_events "$tmp/cap.pcapng" $port ;;
	udp:file* | udp:accept) echo "$(load_datagrams "$tmp/cap.pcapng" UDP_Send) $(load_events "$tmp/cap.pcapng")" \
		"$(load_datagrams "$tmp/cap.pcapng" UDP_Recv)" ;;
	tcp:tshark) wait $reader; rm -f "$tmp/fifo"
		sed -n '/Events by process/,/Bytes by process/p' "$tmp/tshark.out" |
			awk '/load_(client|server)/ {s += $2} END {print s + 0}' ;;
	tcp:bpftrace) # the load's lines: state changes at its port (not the listener's: dport 0), accepts of its server
		awk -v p=$port '($3 == "connect" || $3 == "close") && ($4 == p || $5 == p) && $5 != 0 {n++}
			$3 == "accept" && $2 == "load_server" {n++} END {print n + 0}' "$tmp/bt.out" ;;
	esac
}

# CPU of the capture: the tracer's, and tshark's where it reads the fifo.
capture_cpu() { echo "$(cpu_seconds $tracer) $([ -n "$reader" ] && cpu_seconds $reader || echo 0)" | awk '{print $1 + $2}'; }

# run SCENARIO: one line "rate workload_cpu tracer_cpu wakeups rss_kib lost foreign_programs KEPT..."
run() {
	foreign=$(foreign_programs)
	: >"$tmp/err"; reader=
	start $1
	cpu=0 wake=0 rss=0
	[ -n "$tracer" ] && cpu=$(capture_cpu) wake=$(wakeups $tracer)
	line=$($loadgen --port $port $proto $k $n) || { say "loadgen failed under $1"; line="rate=0 cpu=0"; }
	sleep 0.5
	if [ -n "$tracer" ]; then
		cpu=$(echo "$(capture_cpu) $cpu" | awk '{print $1 - $2}')
		wake=$(($(wakeups $tracer) - wake)) rss=$(peak_rss_kib $tracer)
		stop $tracer
	fi
	echo "$(field "$line" rate) $(field "$line" cpu) $cpu $wake $rss $(said_lost "$tmp/err" "$tmp/bt.out") $foreign $(kept $1)"
	rm -f "$tmp/cap.pcapng" "$tmp/bt.out"
}

alternate "$proto"

name() {
	case $1 in
	alone) echo "workload alone" ;;
	kernel) echo "programs attached, events drained and discarded (bench/kdrain)" ;;
	kernel10) echo "the same, drained every 10 ms instead of on each wake-up" ;;
	file) echo "ebpfcap to a pcapng file" ;;
	file100) echo "ebpfcap to a pcapng file, --udp-interval 100" ;;
	accept) echo "ebpfcap to a pcapng file, TCP_Accept wanted too (sys_exit_accept{,4} attached)" ;;
	tshark) echo "ebpfcap to a fifo read by tshark with the plugin" ;;
	bpftrace) echo "bpftrace, one line per event" ;;
	esac
}

# Columns of a run line: 1 rate, 2 workload cpu, 3 tracer cpu, 4 wakeups, 5 rss, 6 lost, 7 foreign, 8.. kept
{
	unit=$([ $proto = tcp ] && echo "connections/s" || echo "requests/s")
	if [ $proto = tcp ]; then
		echo "| scenario | $unit median (min..max) | throughput vs. alone | workload CPU per connection vs. alone | capture CPU per event | capture wake-ups per 1000 events | events kept / expected | lost (said) | peak RSS |"
	else
		echo "| scenario | $unit median (min..max) | throughput vs. alone | workload CPU per request vs. alone | capture CPU per datagram | capture wake-ups per 1000 datagrams | datagrams sent: kept / expected | received: kept / expected | records | lost (said) | peak RSS |"
	fi
	echo "|---|---|---|---|---|---|---|---|---|$([ $proto = udp ] && echo '---|---|')"
	for s in $scenarios; do
		f=$tmp/$s.txt
		thr=$(ratio_cell "$f" 1 "$tmp/alone.txt" 1)
		wcpu=$(ratio_cell "$f" 2 "$tmp/alone.txt" 2)
		kept=$(median 8 "$f")
		# Per event (tcp: those kept), per datagram (udp: every one sent or received).
		units=$([ $proto = tcp ] && echo "$kept" || echo $((expected * 2)))
		per=$(awk -v c="$(median 3 "$f")" -v e="$units" 'BEGIN {printf "%.3f us", (e > 0 ? c / e * 1e6 : 0)}')
		wk=$(awk -v w="$(median 4 "$f")" -v e="$units" 'BEGIN {printf "%.0f", (e > 0 ? w / e * 1000 : 0)}')
		rss=$(awk -v m="$(median 5 "$f")" 'BEGIN {printf "%d MiB", m / 1024}')
		lost="$(median 6 "$f") ($(minmax 6 "$f"))"
		if [ $s = alone ]; then per=- wk=- rss=- lost=-; fi
		if [ $proto = tcp ]; then
			printf '| %s | %.0f (%s) | %s | %s | %s | %s | %s / %s | %s | %s |\n' "$(name $s)" "$(median 1 "$f")" \
				"$(minmax 1 "$f")" "$thr" "$wcpu" "$per" "$wk" "$kept ($(minmax 8 "$f"))" $expected "$lost" "$rss"
		else
			recv="$(median 10 "$f") ($(minmax 10 "$f"))"
			[ $s = kernel ] && recv="- (not summed without user space)"
			[ $s = alone ] && recv="-"
			printf '| %s | %.0f (%s) | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s | %s |\n' "$(name $s)" \
				"$(median 1 "$f")" "$(minmax 1 "$f")" "$thr" "$wcpu" "$per" "$wk" \
				"$([ $s = kernel ] && echo "- (first datagram of each flow only: $kept)" || echo "$kept ($(minmax 8 "$f"))")" \
				$expected "$recv" $expected "$([ $s = alone ] && echo - || echo "$(median 9 "$f") ($(minmax 9 "$f"))")" "$lost" "$rss"
		fi
	done
	echo
	echo "Rounds: $rounds; $ops $([ $proto = tcp ] && echo connections || echo requests) per run from $k client processes;" \
		"ebpfcap programs of other captures loaded meanwhile: $(minmax 7 "$tmp/alone.txt") (their cost is in every scenario, the baseline's too)."
} >"$out"
cat "$out"
