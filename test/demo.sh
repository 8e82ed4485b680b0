#!/bin/sh
# The main job, as README.md promises: a live capture of "eBPF Events"
# through tshark while we make a few loopback connections ourselves.
build=${1:-build}
echo "== tshark -i ebpfevents -a duration:5 (connections made by $build/test/traffic)"
tshark -i ebpfevents -a duration:5 -T fields -E header=y -E separator=' | ' \
	-e frame.time_relative -e ebpf.type -e ebpf.comm -e ebpf.pid -e ebpf.uid \
	-e ebpf.src -e ebpf.srcport -e ebpf.dst -e ebpf.dstport -e ebpf.latency -e ebpf.bytes_sent \
	-Y 'ebpf.comm == "tcp_client" || ebpf.comm == "tcp_server"' 2>/dev/null &
tshark=$!
# Make traffic once the programs are attached (tshark starts the extcap first).
i=0
until bpftool prog show 2>/dev/null | grep -q ' name ebpfcap_'; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "demo: the capture did not start" >&2; exit 1; }
	sleep 0.1
done
sleep 0.5
"$build/test/traffic" tcp 3 4 >/dev/null
"$build/test/traffic" tcp 1 6 >/dev/null
"$build/test/traffic" refused 4 >/dev/null
wait $tshark
