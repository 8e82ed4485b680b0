#!/bin/sh
# What --tls-secrets costs the TLS programs it watches, scenarios alternating
# each round against a private nginx on loopback (TLS 1.3):
#   alone    no capture
#   packets  ebpfcap -i lo -w (packets + events), no TLS secrets
#   tls      the same with --tls-secrets (uprobes on SSL_* in both nginx and the clients)
# Two loads each: full handshakes (openssl s_time -new: a new connection and
# one request each) and requests on one keep-alive connection (a python3
# http.client loop: an SSL_write and SSL_reads per request on each end).
# Counted exactly with tls: the connections whose keys were taken.
# Usage: tls.sh BUILD ROUNDS SECONDS OUT.md
build=$1 rounds=$2 seconds=$3 out=$4 port=7543
tmp=$(mktemp -d /tmp/ebpfcap-bench.XXXXXX)
trap 'kill $(cat "$tmp/nginx.pid" 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
. bench/lib.sh

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || exit 1
mkdir -p "$tmp/t"
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $tmp/t; proxy_temp_path $tmp/t; fastcgi_temp_path $tmp/t; uwsgi_temp_path $tmp/t; scgi_temp_path $tmp/t;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $tmp/cert.pem; ssl_certificate_key $tmp/key.pem; ssl_protocols TLSv1.3;
		ssl_session_cache off; ssl_session_tickets off;
		location / { return 200 "ok\n"; }
	}
}
EOF
nginx -c "$tmp/nginx.conf" -p "$tmp" || exit 1

# handshakes: full handshakes (each with one request) per second.
handshakes() {
	n=$(timeout $((seconds + 10)) openssl s_time -connect 127.0.0.1:$port -new -time "$seconds" -www / 2>/dev/null |
		sed -n 's/^\([0-9]*\) connections in [0-9]* real seconds.*/\1/p' | tail -1)
	echo "${n:-0} $(awk -v n="${n:-0}" -v s="$seconds" 'BEGIN {printf "%.1f", n / s}')"
}

# requests: requests per second on one keep-alive connection.
requests() {
	python3 - "$port" "$seconds" <<'EOF'
import http.client, ssl, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
ctx = ssl.create_default_context(); ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
n, end = 0, time.monotonic() + seconds
start = time.monotonic()
while time.monotonic() < end:
    c.request("GET", "/"); c.getresponse().read(); n += 1
print("%.1f" % (n / (time.monotonic() - start)))
EOF
}

start() {
	tracer=
	case $1 in
	alone) return ;;
	packets) $ebpfcap -i lo -w "$tmp/cap.pcapng" "tcp port $port" 2>"$tmp/err" & tracer=$! ;;
	tls) rm -f "$tmp/keys"
		$ebpfcap -i lo -w "$tmp/cap.pcapng" --tls-keylog "$tmp/keys" "tcp port $port" 2>"$tmp/err" & tracer=$! ;;
	esac
	wait_fd $tracer 'anon_inode:\[eventpoll\]' || exit 1
	sleep 1 # the TLS probes attach after the kernel programs
}

for r in $(seq "$rounds"); do
	for s in alone packets tls; do
		start $s
		set -- $(handshakes)
		hs_n=$1 hs_rate=$2
		rq_rate=$(requests)
		[ -n "$tracer" ] && stop $tracer
		echo "$hs_rate $rq_rate" >>"$tmp/$s"
		if [ $s = tls ]; then
			# One connection per handshake, and the keep-alive one.
			echo "$((hs_n + 1)) $(grep -c '^CLIENT_TRAFFIC_SECRET_0 ' "$tmp/keys" 2>/dev/null)" >>"$tmp/keys_counts"
		fi
	done
done

{
	echo "TLS 1.3 against nginx on loopback, $rounds rounds of ${seconds}s per load, scenarios alternating."
	echo "Rates: median (min..max) over the rounds; ratios per round, then the median."
	echo
	echo "| scenario | handshakes/s | requests/s (keep-alive) | handshakes vs alone | requests vs alone | handshakes vs packets | requests vs packets |"
	echo "|---|---|---|---|---|---|---|"
	for s in alone packets tls; do
		printf '| %s | %s (%s) | %s (%s) | %s | %s | %s | %s |\n' $s \
			"$(median 1 "$tmp/$s")" "$(minmax 1 "$tmp/$s")" "$(median 2 "$tmp/$s")" "$(minmax 2 "$tmp/$s")" \
			"$(ratio_cell "$tmp/$s" 1 "$tmp/alone" 1)" "$(ratio_cell "$tmp/$s" 2 "$tmp/alone" 2)" \
			"$(ratio_cell "$tmp/$s" 1 "$tmp/packets" 1)" "$(ratio_cell "$tmp/$s" 2 "$tmp/packets" 2)"
	done
	echo
	echo "Connections whose keys --tls-secrets took (TLS 1.3 CLIENT_TRAFFIC_SECRET_0 lines), per round: $(awk '{printf "%s%d of %d", (NR > 1 ? ", " : ""), $2, $1}' "$tmp/keys_counts")."
} >"$out"
cat "$out"
