#!/bin/sh
# The main job, as README.md promises: a live capture of "eBPF Events"
# through tshark while we make a few loopback connections ourselves.
build=${1:-build}
# The eBPF profile's columns (make install puts the profile where tshark -C finds it):
# event names, not their numbers; Source and Destination of IPv4 and IPv6 alike.
echo "== tshark -C eBPF -i ebpfevents -a duration:5 (connections made by $build/test/traffic)"
tshark -C eBPF -i ebpfevents -a duration:5 -T fields -E header=y -E separator=' | ' \
	-e frame.time_relative -e _ws.col.Event -e _ws.col.Process -e _ws.col.PID -e _ws.col.User \
	-e _ws.col.Source -e ebpf.srcport -e _ws.col.Destination -e ebpf.dstport -e ebpf.latency -e ebpf.bytes_sent \
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
"$build/test/traffic" tcp 1 m >/dev/null
"$build/test/traffic" refused 4 >/dev/null
wait $tshark
