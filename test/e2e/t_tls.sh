# TLS secrets (--tls-secrets): real nginx on loopback with a certificate made
# here, real curl and python3 clients (OpenSSL 3), TLS 1.3 and TLS 1.2. Every
# client process starts after the capture (each one's first handshake counts).
# Ground truth from outside ebpfcap: OpenSSL's own SSLKEYLOGFILE of the
# clients, nginx's access log, the pids the test launched. Checked: every
# request is decrypted by plain tshark from the capture alone (Decryption
# Secrets Blocks), each with its client and nginx as owners; the keys equal
# OpenSSL's; with --comm nginx the server's side alone decrypts everything
# (for an nginx started during the capture too); --comm curl takes no
# python3 or nginx secrets; a client of another TLS library (GnuTLS's
# gnutls-cli) followed alone is said once per process on stderr and marked on
# its ClientHello; nothing is left loaded.
. test/helpers/lib.sh
PORT=7443 PORT2=7444 N=6
for tool in nginx gnutls-cli; do command -v $tool >/dev/null || fail "$tool is not installed (make deps)"; done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || fail "openssl req"

# start_nginx DIR PORT: a private nginx serving TLS 1.2 and 1.3 on 127.0.0.1:PORT; sets $worker.
start_nginx() {
	dir=$1
	mkdir -p "$dir/tmp"
	cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
	log_format t '\$request_uri \$ssl_protocol';
	access_log $dir/access.log t;
	client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
	uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
	server {
		listen 127.0.0.1:$2 ssl;
		ssl_certificate $TMP/cert.pem; ssl_certificate_key $TMP/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_session_cache off; ssl_session_tickets off;
		location / { return 200 "ok \$request_uri\n"; }
	}
}
EOF
	nginx -c "$dir/nginx.conf" -p "$dir" 2>"$dir/start.err" || fail "nginx did not start: $(cat "$dir/start.err")"
	at_exit "kill \$(cat $dir/nginx.pid)"
	master=$(cat "$dir/nginx.pid")
	wait_for -p $master 5 "nginx's worker" nginx_worker
}
nginx_worker() { worker=$(ps -o pid= --ppid "$master" | tr -d ' ') && [ -n "$worker" ]; }

# capture NAME [OPTIONS]: ebpfcap on lo, port $PORT or $PORT2, keys also to $TMP/NAME.keys; sets $cap.
capture() {
	name=$1; shift
	$EBPFCAP -i lo -w "$TMP/$name.pcapng" --tls-keylog "$TMP/$name.keys" "$@" "tcp port $PORT or tcp port $PORT2" \
		2>"$TMP/$name.err" &
	cap=$!
	at_exit "kill $cap"
	wait_for -p $cap -l "$TMP/$name.err" 10 "$name: the TLS probes to be attached" tls_attached
	OURS=$(printf '%s\n' "$objs" | sed -n 's/^prog //p')
}
# Kernel programs have a link each; the 3 TLS programs have 7 (3 handshake calls in and out, SSL_free).
tls_attached() {
	objs=$(bpf_objects_of $cap)
	[ "$(printf '%s\n' "$objs" | grep -c '^link ')" -eq $(( $(printf '%s\n' "$objs" | grep -c '^prog ') + 4 )) ]
}

# stop_capture [quiet|said]: the capture ends cleanly; without "said", with nothing on stderr.
stop_capture() {
	sleep 0.3
	kill -TERM $cap
	reap $cap
	expect_eq "$name: capture exit status" 0 "$status"
	[ "${1:-quiet}" = quiet ] && [ -s "$TMP/$name.err" ] && fail "$name: the capture said: $(cat "$TMP/$name.err")"
	expect_no_programs
}

# clients NAME PORT: N curl processes and one python3 doing N requests, each with TLS 1.3 and 1.2,
# every connection a full handshake; "URI PID COMM" lines in $TMP/NAME.clients.
clients() {
	for v in 1.3 1.2; do
		for i in $(seq $N); do
			uri=/$1/curl$v/$i
			SSLKEYLOGFILE=$TMP/openssl.keys curl -sk --tlsv$v --tls-max $v -o /dev/null \
				"https://127.0.0.1:$2$uri" &
			echo "$uri $! curl" >>"$TMP/$1.clients"
			wait $! || fail "curl $uri"
		done
		SSLKEYLOGFILE=$TMP/openssl.keys python3 -c '
import http.client, ssl, sys
port, version, n, prefix = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context()  # reads SSLKEYLOGFILE: OpenSSL writes its own key log
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
for i in range(1, n + 1):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
    c.request("GET", "%s/%d" % (prefix, i))
    assert c.getresponse().read().startswith(b"ok")
    c.close()
' "$2" $v $N "/$1/python$v" &
		py=$!
		for i in $(seq $N); do echo "/$1/python$v/$i $py python3" >>"$TMP/$1.clients"; done
		wait $py || fail "python3 client, TLS $v"
	done
}

# decrypted NAME SERVER_PID [server]: "URI OWNERS-RIGHT" for each HTTP request tshark decrypts,
# where right means the packet's comment names the client launched for that URI (unless the
# capture follows only the server) and the nginx worker.
decrypted() {
	tshark -r "$TMP/$1.pcapng" -Y http.request -T fields -e http.request.uri -e frame.comment 2>/dev/null |
	awk -F'\t' -v clients="$TMP/$1.clients" -v server="$2" -v server_only="${3:-}" '
		BEGIN { while ((getline l < clients) > 0) { split(l, f, " "); want[f[1]] = "src " f[3] "(" f[2] ")" } }
		{ right = (server_only || index($2, want[$1])) && index($2, "dst nginx(" server ")")
		  print $1, right ? "owners-right" : "owners-wrong:" $2 }'
}

# Decryption Secrets Blocks (type 0x0000000A) in a pcapng file.
secrets_blocks() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(); i = n = 0
while i + 8 <= len(d):
    t, l = struct.unpack_from("<II", d, i); n += t == 10; i += l
print(n)' "$1"
}

# expect_all_decrypted NAME SERVER_PID NGINX_DIR [server]: every request of NAME.clients, once, with its owners.
expect_all_decrypted() {
	total=$(wc -l <"$TMP/$1.clients")
	decrypted "$1" "$2" ${4:-} >"$TMP/$1.decrypted"
	expect_eq "$1: requests nginx served" "$total" "$(grep -c "^/$1/" "$3/access.log")"
	expect_eq "$1: requests decrypted by tshark from the capture alone, of $total" "$total" \
		"$(awk '{print $1}' "$TMP/$1.decrypted" | sort -u | grep -cxF -f "$(cut -d' ' -f1 "$TMP/$1.clients" >"$TMP/uris"; echo "$TMP/uris")")"
	whose="their client and nginx"; [ -n "${4:-}" ] && whose="nginx (the capture follows it alone)"
	expect_eq "$1: decrypted requests whose owners are $whose" "$total" \
		"$(grep -c ' owners-right$' "$TMP/$1.decrypted")"
	responses=$(tshark -r "$TMP/$1.pcapng" -Y "http.response.code == 200 && frame.comment contains \"src nginx($2)\"" \
		2>/dev/null | wc -l)
	expect_eq "$1: responses decrypted, sent by nginx" "$total" "$responses"
}

start_nginx "$TMP/nginx" $PORT
server=$worker

# Both ends are OpenSSL: the keys equal OpenSSL's own key log, and every request decrypts.
capture both --tls-secrets
clients both $PORT
stop_capture
expect_all_decrypted both $server "$TMP/nginx"
sort -u "$TMP/openssl.keys" >"$TMP/openssl.sorted"
expect_eq "key log lines of OpenSSL's own SSLKEYLOGFILE missing from --tls-keylog" 0 \
	"$(sort -u "$TMP/both.keys" | comm -23 "$TMP/openssl.sorted" - | wc -l)"
expect_eq "TLS 1.3 connections (CLIENT_TRAFFIC_SECRET_0 lines)" $((2 * N)) "$(grep -c '^CLIENT_TRAFFIC_SECRET_0 ' "$TMP/both.keys")"
expect_eq "TLS 1.2 connections (CLIENT_RANDOM lines)" $((2 * N)) "$(grep -c '^CLIENT_RANDOM ' "$TMP/both.keys")"
expect_eq "Decryption Secrets Blocks in the capture, one per connection" $((4 * N)) "$(secrets_blocks "$TMP/both.pcapng")"

# The server's side alone (--comm nginx), for an nginx that started after the capture.
rm -f "$TMP/openssl.keys"
capture server --comm nginx
start_nginx "$TMP/nginx2" $PORT2
clients server $PORT2
stop_capture
expect_all_decrypted server $worker "$TMP/nginx2" server

# --comm curl: the secrets of curl only, none of python3's or nginx's.
capture curl --comm curl
clients curl $PORT
stop_capture
curl_requests=$(grep -c ' curl$' "$TMP/curl.clients")
expect_eq "curl: requests decrypted, all curl's" "$curl_requests" \
	"$(decrypted curl $server | grep -c '^/curl/curl')"
expect_eq "curl: python3 requests decrypted (its secrets are not taken)" 0 \
	"$(decrypted curl $server | grep -c '^/curl/python')"

# A client of another TLS library, followed alone: no keys can be had, and that is said,
# once per process on stderr and on each of its ClientHellos in the capture.
capture gnutls --comm gnutls-cli
gnutls=""
for i in 1 2 3; do # two connections each (--resume connects again)
	printf 'GET /gnutls/%s HTTP/1.0\r\n\r\n' $i | gnutls-cli --insecure --resume -p $PORT 127.0.0.1 >/dev/null 2>&1 &
	gnutls="$gnutls $!"
	wait $! || fail "gnutls-cli"
done
stop_capture said
for p in $gnutls; do
	expect_eq "gnutls: stderr lines naming gnutls-cli($p)" 1 "$(grep -c "no TLS keys for a connection of gnutls-cli($p)" "$TMP/gnutls.err")"
done
expect_eq "gnutls: stderr lines, one per gnutls-cli process" 3 "$(grep -c 'no TLS keys' "$TMP/gnutls.err")"
expect_eq "gnutls: ClientHellos marked as without keys, two per process" 6 \
	"$(tshark -r "$TMP/gnutls.pcapng" -Y 'tls.handshake.type == 1 && frame.comment contains "src gnutls-cli(" && frame.comment contains "TLS: no keys"' 2>/dev/null | wc -l)"

# Handshakes run inside SSL_write (python3 without do_handshake_on_connect), python3 followed
# alone: the keys come when a connection is freed, equal to OpenSSL's. A short connection's
# still precede its packets (the reorder window); a long one's come too late for the capture,
# whose ClientHello says so.
rm -f "$TMP/openssl.keys"
capture implicit --comm python3
SSLKEYLOGFILE=$TMP/openssl.keys python3 -c '
import socket, ssl, sys, time
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
for name, linger in (("short", 0), ("long", 1.5)):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), do_handshake_on_connect=False)
    s.sendall(b"GET /implicit/%s HTTP/1.0\r\n\r\n" % name.encode())
    assert s.recv(100).startswith(b"HTTP/1.1 200")
    time.sleep(linger)
    s.close()
    del s  # SSL_free
' $PORT || fail "python3 implicit handshakes"
stop_capture said
expect_eq "implicit: their keys, equal to OpenSSL's own key log" "$(grep -v '^#' "$TMP/openssl.keys" | sort)" \
	"$(sort "$TMP/implicit.keys")"
expect_eq "implicit: requests decrypted from the capture" "/implicit/short" \
	"$(tshark -r "$TMP/implicit.pcapng" -Y http.request -T fields -e http.request.uri 2>/dev/null)"
expect_eq "implicit: ClientHellos marked as without keys in the capture (the long connection's)" 1 \
	"$(tshark -r "$TMP/implicit.pcapng" -Y 'tls.handshake.type == 1 && frame.comment contains "TLS: no keys"' 2>/dev/null | wc -l)"
