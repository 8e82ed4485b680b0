#!/bin/sh
# The main job, as README.md promises: a live capture of "eBPF Events"
# through tshark while we make a few loopback connections ourselves.
build=${1:-build}
# The eBPF profile's columns (make install puts the profile where tshark -C finds it):
# No., Time, Event (names, not numbers), Process, PID, User, Container, Pod,
# Source and Destination (IPv4, IPv6, and a dual-stack socket's IPv4), Info.
echo "== tshark -C eBPF -i ebpfevents -a duration:5 (connections made by $build/test/traffic)"
tshark -C eBPF -i ebpfevents -a duration:5 \
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
