# Ownership follows the socket: servers that accept in one process and serve
# in another. Each case runs a server, N clients, and one capture of events
# and loopback packets of the server's port; ground truth is the server's own
# log (socat -d -d, handoff_server.py's lines, PostgreSQL's pg_backend_pid()).
# For every connection: TCP_Accept names the acceptor; a TCP_Handoff moves it
# to the process that serves; the server side's TCP_Close names that process
# and keeps the acceptor in ebpf.acceptor.pid; the server's SYN-ACK names the
# acceptor (its listener) and its FIN the process that served.
. test/helpers/lib.sh
N=4
SERVER=test/helpers/handoff_server.py

# capture NAME PORT: events and packets of PORT on lo, to $TMP/NAME.pcapng; sets $cap.
capture() { start_ebpfcap "$TMP/$1.err" -i lo -w "$TMP/$1.pcapng" --port "$2" tcp port "$2"; }

# records NAME PORT TYPE: "pid prev.pid acceptor.pid comm" of the server side's records of TYPE, sorted.
records() {
	tshark -r "$TMP/$1.pcapng" -Y "ebpf.type == \"$3\" && ebpf.srcport == $2" -T fields -E separator=' ' \
		-e ebpf.dstport -e ebpf.pid -e ebpf.prev.pid -e ebpf.acceptor.pid -e ebpf.comm 2>/dev/null | sort -n
}

# packet_owner NAME PORT CPORT FILTER: the server side's owner ("comm(pid)") in the comment of the
# server's packets to CPORT that match FILTER, one per line.
packet_owner() {
	tshark -r "$TMP/$1.pcapng" -Y "tcp.srcport == $2 && tcp.dstport == $3 && $4" -T fields -e frame.comment \
		2>/dev/null | sed -n 's/^src \([^ ]*\) .*/\1/p'
}

# plugin_owner NAME PORT CPORT FILTER: the same from the plugin's owner subtree (tshark -2): the source's ebpf.pid.
plugin_owner() {
	tshark -2 -r "$TMP/$1.pcapng" -Y "tcp.srcport == $2 && tcp.dstport == $3 && $4" -T fields -e ebpf.pid \
		2>/dev/null | cut -d, -f1
}

# check NAME PORT ACCEPTOR HANDOFFS: HANDOFFS lines "cport holder prev comm" (what the server's log says),
# the last of each cport being the process that served it.
check() {
	name=$1 port=$2 acceptor=$3 want=$4
	served=$(printf '%s\n' "$want" | awk '{ last[$1] = $2 " " $4 } END { for (c in last) print c, last[c] }' | sort -n)
	expect_eq "$name: TCP_Accept records naming the acceptor $acceptor, of $N" $N \
		"$(records $name $port TCP_Accept | awk -v a=$acceptor '$2 == a && $4 == a' | wc -l)"
	expect_eq "$name: handoffs (connection, new holder, previous holder, name)" \
		"$(printf '%s\n' "$want" | awk '{ print $1, $2, $3, $4 }' | sort -n)" \
		"$(records $name $port TCP_Handoff | awk '{ print $1, $2, $3, $5 }')"
	expect_eq "$name: server-side TCP_Close naming the process that served, with the acceptor" \
		"$(printf '%s\n' "$served" | awk -v a=$acceptor '{ print $1, $2, a, $3 }')" \
		"$(records $name $port TCP_Close | awk '{ print $1, $2, $4, $5 }')"
	printf '%s\n' "$served" | while read -r cport holder comm; do
		synack=$(packet_owner $name $port $cport "tcp.flags.syn == 1")
		fin=$(packet_owner $name $port $cport "tcp.flags.fin == 1")
		[ "${synack#*(}" = "$acceptor)" ] || fail "$name: SYN-ACK to $cport names '$synack', not the acceptor $acceptor"
		[ "$fin" = "$comm($holder)" ] || fail "$name: FIN to $cport names '$fin', not $comm($holder)"
		# The plugin's owner subtree (two passes): ebpf.pid of the packet's source first.
		[ "$(plugin_owner $name $port $cport "tcp.flags.syn == 1")" = "$acceptor" ] ||
			fail "$name: the plugin's owner of the SYN-ACK to $cport is not the acceptor $acceptor"
		[ "$(plugin_owner $name $port $cport "tcp.flags.fin == 1")" = "$holder" ] ||
			fail "$name: the plugin's owner of the FIN to $cport is not $holder"
	done || exit 1
	ok "$name: each SYN-ACK names the acceptor, each FIN the process that served (comments and plugin)"
	grep -q dropped "$TMP/$name.err" && fail "$name: $(cat "$TMP/$name.err")"
	return 0
}

# ---- our own servers: fork, exec, SCM_RIGHTS ----
# own MODE PORT: runs handoff_server.py MODE and N clients under a capture; sets $acceptor and $log.
own() {
	capture $1 $2
	python3 $SERVER $1 $2 $N >"$TMP/$1.log" &
	server=$!
	at_exit "kill $server"
	wait_for -p $server 5 "$1: the server to listen" grep -q listening "$TMP/$1.log"
	python3 $SERVER client $2 $N >"$TMP/$1.clients" || fail "$1: clients"
	reap $server
	stop_capture $1
	acceptor=$(field "$(head -1 "$TMP/$1.log")" pid)
	log=$(sed -n 's/^served cport=\([0-9]*\) acceptor=\([0-9]*\) holder=\([0-9]*\)/\1 \3 \2/p' "$TMP/$1.log")
	expect_eq "$1: connections served (server's log)" $N "$(printf '%s\n' "$log" | grep -c .)"
}

own fork 7431
check fork 7431 $acceptor "$(printf '%s\n' "$log" | awk '{ print $1, $2, $3, "python3" }')"
own scm 7432
check scm 7432 $acceptor "$(printf '%s\n' "$log" | awk '{ print $1, $2, $3, "python3" }')"
# exec: the child takes it over (python3), then becomes cat by exec: same pid, a second handoff.
own exec 7433
check exec 7433 $acceptor "$(printf '%s\n' "$log" | awk '{ print $1, $2, $3, "python3"; print $1, $2, $2, "cat" }')"

# ---- socat TCP-LISTEN,fork: inetd-style, a child per connection after accept ----
capture socat 7434
socat -d -d TCP-LISTEN:7434,bind=127.0.0.1,reuseaddr,fork PIPE 2>"$TMP/socat.log" &
socat=$!
at_exit "kill $socat"
wait_for -p $socat 5 "socat to listen" grep -q listening "$TMP/socat.log"
python3 $SERVER client 7434 $N >"$TMP/socat.clients" || fail "socat: clients"
sleep 0.3
kill $socat
stop_capture socat
# "accepting connection from AF=2 127.0.0.1:CPORT", then "forked off child process PID"
log=$(awk '/accepting connection from/ { split($(NF-3), a, ":"); cport = a[2] }
	/forked off child process/ { print cport, $NF }' "$TMP/socat.log")
expect_eq "socat: connections its log says it forked a child for" $N "$(printf '%s\n' "$log" | grep -c .)"
check socat 7434 $socat "$(printf '%s\n' "$log" | awk -v a=$socat '{ print $1, $2, a, "socat" }')"

# ---- PostgreSQL: the postmaster accepts, a backend it forks serves ----
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=7435
PGDIR=$(mktemp -d /tmp/ebpfcap-pg.XXXXXX)
chown postgres "$PGDIR"
at_exit "rm -rf $PGDIR"
pg() { runuser -u postgres -- "$PGBIN/$@"; }
pg initdb -D "$PGDIR/data" --auth=trust >"$TMP/initdb.log" 2>&1 || fail "initdb: $(tail -3 "$TMP/initdb.log")"
pg pg_ctl -D "$PGDIR/data" -l "$PGDIR/log" -w -t 30 \
	-o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" start >/dev/null || fail "pg_ctl start: $(tail -3 "$PGDIR/log")"
at_exit "runuser -u postgres -- $PGBIN/pg_ctl -D $PGDIR/data -m immediate stop"
postmaster=$(head -1 "$PGDIR/data/postmaster.pid")
capture postgres $PGPORT
# Its own answer: the client port it sees, and the backend serving it.
for i in $(seq $N); do
	runuser -u postgres -- psql -h 127.0.0.1 -p $PGPORT -d postgres -Atc 'select inet_client_port(), pg_backend_pid()' \
		-F ' ' || fail "psql"
done >"$TMP/pg.answers"
stop_capture postgres
expect_eq "postgres: backends that answered" $N "$(grep -c . "$TMP/pg.answers")"
check postgres $PGPORT $postmaster "$(awk -v a=$postmaster '{ print $1, $2, a, "postgres" }' "$TMP/pg.answers")"

# ---- OpenSSH: the listener accepts, re-executed children serve (privilege separation) ----
SSHPORT=7436
mkdir -p "$TMP/ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/host" && ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/user" ||
	fail "ssh-keygen"
cp "$TMP/ssh/user.pub" "$TMP/ssh/authorized_keys"
/usr/sbin/sshd -D -e -p $SSHPORT -o ListenAddress=127.0.0.1 -h "$TMP/ssh/host" -o PidFile=none -o UsePAM=no \
	-o AuthorizedKeysFile="$TMP/ssh/authorized_keys" -o PermitRootLogin=prohibit-password -o StrictModes=no \
	2>"$TMP/sshd.log" &
sshd=$!
at_exit "kill $sshd"
ssh_listens() { ss -Hltn "( sport = :$SSHPORT )" | grep -q .; }
wait_for -p $sshd -l "$TMP/sshd.log" 5 "sshd to listen" ssh_listens
capture ssh $SSHPORT
ssh_idle() { ! ss -Htn state established "( sport = :$SSHPORT )" | grep -q .; }
# While each session runs, ss says which process holds the server's end.
for i in 1 2; do
	timeout 20 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -i "$TMP/ssh/user" \
		-p $SSHPORT root@127.0.0.1 'sleep 1' 2>>"$TMP/ssh.err" &
	client=$!
	sleep 0.7
	ss -Htnp state established "( sport = :$SSHPORT )" | sed -n 's/.*:\([0-9]*\) *users:(("sshd",pid=\([0-9]*\),.*/\1 \2/p'
	reap $client 25
	expect_eq "ssh session $i exit status" 0 "$status" >&2
	# The next session's ss must show only its own connection: this one gone from the server too.
	wait_for 5 "ssh session $i to be gone from the server" ssh_idle
done >"$TMP/ssh.holders"
stop_capture ssh
expect_eq "ssh: sessions whose holder ss showed" 2 "$(grep -c . "$TMP/ssh.holders")"
expect_eq "ssh: TCP_Accept records naming the listener $sshd" 2 \
	"$(records ssh $SSHPORT TCP_Accept | awk -v a=$sshd '$2 == a && $4 == a' | wc -l)"
expect_eq "ssh: server-side TCP_Close naming the holder ss showed, with the listener as acceptor" \
	"$(awk -v a=$sshd '{ print $1, $2, a }' "$TMP/ssh.holders" | sort -n)" \
	"$(records ssh $SSHPORT TCP_Close | awk '{ print $1, $2, $4 }')"
while read -r cport holder; do
	handoffs=$(records ssh $SSHPORT TCP_Handoff | awk -v c=$cport '$1 == c')
	printf '%s\n' "$handoffs" | awk -v a=$sshd '$3 == a' | grep -q . || fail "ssh: no handoff from the listener for $cport"
	printf '%s\n' "$handoffs" | awk -v h=$holder '$2 == h' | grep -q . || fail "ssh: no handoff to $holder for $cport"
	[ "$(packet_owner ssh $SSHPORT $cport "tcp.flags.fin == 1")" = "sshd($holder)" ] || fail "ssh: FIN to $cport not named sshd($holder)"
done <"$TMP/ssh.holders"
ok "ssh: each connection handed from the listener to the holder ss showed, whose FIN names it"
