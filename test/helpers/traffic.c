/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known loopback TCP traffic for the tests, from processes whose pids we
 * print: a listener, an acceptor process that did not create the listening
 * socket, and a client process with its own comm.
 *
 *   traffic tcp N [4|6|m] [UID] N connections: client sends 5 bytes, server 6;
 *                              the client runs as UID if given; m: IPv4 through
 *                              AF_INET6 sockets (::ffff:127.0.0.1)
 *   traffic refused [4|6]      one connect() to a port nobody listens on
 *   traffic unaccepted         one connection (5 bytes sent) that the listener
 *                              never accept()s: it closes with the connection
 *                              queued, and the client is reset; server_pid is
 *                              the listener's
 *   traffic udp MODE N [4|6]   N datagrams of 100 bytes, client -> server,
 *                              MODE connect (connect+send), sendto or sendmsg;
 *                              the server receives with recvfrom
 *   traffic hold MS            one connection held open MS milliseconds
 *                              (pids printed once it is established)
 *   traffic reset              one connection the client closes with unread
 *                              data, so it ends by RST
 *   traffic reuse N [CPORT]    N client processes one after another, all from one
 *                              client port (CPORT, or one the kernel picks) to one
 *                              server, each closing by RST
 *                              (SO_LINGER 0) so that the next reuses the 4-tuple;
 *                              prints "client_pids=P1,P2,... server_pid=S port=X
 *                              client_port=C" once all are done
 *   traffic sink ADDR PORT     accept one connection, read it to the end
 *   traffic bulk ADDR PORT KB  connect, send KB kilobytes, close
 *   traffic serve ADDR PORT N  accept N connections as tcp_server (read 5, write 6)
 *   traffic clients ADDR PORT N  N client processes, all connected at once,
 *                              each printing "client_pid=P port=LOCALPORT"
 *   traffic udpserve ADDR PORT N  answer N datagrams (recvfrom, sendto)
 *   traffic udpping ADDR PORT N   N request/responses from an unconnected socket
 *
 * sink, bulk, serve, clients, udpserve and udpping take the address of a
 * network namespace the test made.
 * TRAFFIC_PORT=P in the environment makes the listener (tcp, udp, reuse)
 * bind port P instead of one the kernel picks, for capture filters.
 * Prints "client_pid=P client_comm=C server_pid=S port=X" and exits when done.
 * Only loopback; every loop is bounded by N.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/helpers/bounded_fork.h"

#define TIME_LIMIT_S 120 /* every process of ours, whatever happens */
#define CLIENT_COMM "tcp_client"
#define SERVER_COMM "tcp_server"

static void die(const char *what)
{
	fprintf(stderr, "traffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint16_t listen_port; /* TRAFFIC_PORT, 0: any */
static int v4_mapped;         /* family m: AF_INET6 sockets on ::ffff:127.0.0.1 */

static socklen_t loopback(int family, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		if (v4_mapped)
			inet_pton(AF_INET6, "::ffff:127.0.0.1", &a->sin6_addr);
		a->sin6_port = htons(port);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	return sizeof(*a);
}

static int bound_socket(int family, int type, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, listen_port, &ss);
	int one = 1, fd = socket(family, type, 0);

	if (fd >= 0 && listen_port)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	*port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					 : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void serve(int lfd, int n)
{
	char buf[16];

	prctl(PR_SET_NAME, SERVER_COMM);
	for (int i = 0; i < n; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		if (read(fd, buf, 5) != 5 || write(fd, "world!", 6) != 6)
			die("server i/o");
		/* Wait for the client's FIN so every close is a clean FIN exchange. */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	exit(0);
}

static int connect_to(int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static uid_t client_uid; /* 0: stay root */

static void client(int family, uint16_t port, int n)
{
	char buf[16];

	if (client_uid && (setgid(client_uid) < 0 || setuid(client_uid) < 0))
		die("setuid");
	prctl(PR_SET_NAME, CLIENT_COMM);
	for (int i = 0; i < n; i++) {
		int fd = connect_to(family, port);

		if (fd < 0)
			die("connect");
		if (write(fd, "hello", 5) != 5 || read(fd, buf, 6) != 6)
			die("client i/o");
		close(fd);
	}
	exit(0);
}

static pid_t spawn(void (*fn)(int, uint16_t, int), int family, uint16_t port, int n)
{
	pid_t pid = bounded_fork(TIME_LIMIT_S);

	if (pid < 0)
		die("fork");
	if (pid == 0)
		fn(family, port, n);
	return pid;
}

static int wait_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * A server process on a fresh loopback socket of TYPE (serve_fn handles n
 * connections or datagrams, then exits) and a client process (client_fn sends
 * them); prints both, the line the tests read, and waits for both.
 */
static int run_pair(int family, int type, void (*serve_fn)(int, int), void (*client_fn)(int, uint16_t, int), int n)
{
	uint16_t port;
	int fd = bound_socket(family, type, &port);
	pid_t server = bounded_fork(TIME_LIMIT_S);

	if (server < 0)
		die("fork");
	if (server == 0)
		serve_fn(fd, n);
	close(fd); /* the server owns it now: a TCP accept happens in another process */
	pid_t cl = spawn(client_fn, family, port, n);

	printf("client_pid=%d client_comm=%s server_pid=%d server_comm=%s port=%u\n",
	       cl, CLIENT_COMM, server, SERVER_COMM, port);
	fflush(stdout);
	return wait_ok(cl) && wait_ok(server) ? 0 : 1;
}

static void refused_client(int family, uint16_t port, int n)
{
	(void)n;
	prctl(PR_SET_NAME, CLIENT_COMM);
	exit(connect_to(family, port) < 0 && errno == ECONNREFUSED ? 0 : 1);
}

static int run_refused(int family)
{
	uint16_t port;
	int lfd = bound_socket(family, SOCK_STREAM, &port);

	close(lfd); /* the port is now known to be closed */
	pid_t cl = spawn(refused_client, family, port, 1);

	printf("client_pid=%d client_comm=%s port=%u\n", cl, CLIENT_COMM, port);
	fflush(stdout);
	return wait_ok(cl) ? 0 : 1;
}

/* Connects, sends, says so on the pipe, then expects the reset of a listener closing without accept(). */
static int unaccepted_pipe[2], unaccepted_listener;

static void unaccepted_client(int family, uint16_t port, int n)
{
	char c;
	int fd;

	(void)n;
	close(unaccepted_listener); /* forked with it: the parent's close must be the last */
	prctl(PR_SET_NAME, CLIENT_COMM);
	fd = connect_to(family, port);
	if (fd < 0 || write(fd, "hello", 5) != 5 || write(unaccepted_pipe[1], "", 1) != 1)
		die("unaccepted connect");
	exit(read(fd, &c, 1) < 0 && errno == ECONNRESET ? 0 : 1);
}

static int run_unaccepted(void)
{
	uint16_t port;
	int lfd = unaccepted_listener = bound_socket(AF_INET, SOCK_STREAM, &port);
	char c;

	if (pipe(unaccepted_pipe) < 0)
		die("pipe");
	pid_t cl = spawn(unaccepted_client, AF_INET, port, 1);

	if (read(unaccepted_pipe[0], &c, 1) != 1)
		die("unaccepted client");
	usleep(50000); /* its data reaches the queued socket */
	close(lfd);
	printf("client_pid=%d client_comm=%s server_pid=%d port=%u\n", cl, CLIENT_COMM, getpid(), port);
	fflush(stdout);
	return wait_ok(cl) ? 0 : 1;
}

static const char *udp_mode;

static void udp_serve(int fd, int n)
{
	char buf[256];
	struct sockaddr_storage from;

	prctl(PR_SET_NAME, SERVER_COMM);
	for (int i = 0; i < n; i++) {
		socklen_t len = sizeof(from);

		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) != 100)
			die("recvfrom");
	}
	exit(0);
}

static void udp_send_one(int fd, const struct sockaddr_storage *to, socklen_t len)
{
	static const char payload[100];
	ssize_t n;

	if (strcmp(udp_mode, "connect") == 0) {
		n = send(fd, payload, sizeof(payload), 0);
	} else if (strcmp(udp_mode, "sendto") == 0) {
		n = sendto(fd, payload, sizeof(payload), 0, (const struct sockaddr *)to, len);
	} else {
		struct iovec iov = { (void *)payload, sizeof(payload) };
		struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1 };

		n = sendmsg(fd, &msg, 0);
	}
	if (n != sizeof(payload))
		die("udp send");
}

static void udp_client(int family, uint16_t port, int n)
{
	struct sockaddr_storage to;
	socklen_t len = loopback(family, port, &to);
	int fd = socket(family, SOCK_DGRAM, 0);

	prctl(PR_SET_NAME, CLIENT_COMM);
	if (fd < 0)
		die("socket");
	if (strcmp(udp_mode, "connect") == 0 && connect(fd, (struct sockaddr *)&to, len) < 0)
		die("connect");
	for (int i = 0; i < n; i++)
		udp_send_one(fd, &to, len);
	exit(0);
}

/* One client of `reuse`: from client_port, closed by RST so that no TIME_WAIT holds the 4-tuple. */
static uint16_t client_port;

static void reuse_client(int family, uint16_t port, int n)
{
	struct sockaddr_storage from, to;
	socklen_t from_len = loopback(family, client_port, &from), to_len = loopback(family, port, &to);
	struct linger rst = { 1, 0 };
	int one = 1, fd = -1;
	char buf[16];

	(void)n;
	prctl(PR_SET_NAME, CLIENT_COMM);
	/* The previous client's socket may take a moment to go: bounded retries. */
	for (int tries = 0; tries < 100; tries++) {
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&from, from_len) == 0 &&
		    connect(fd, (struct sockaddr *)&to, to_len) == 0)
			break;
		close(fd);
		fd = -1;
		usleep(10000);
	}
	if (fd < 0)
		die("reuse connect");
	if (write(fd, "hello", 5) != 5 || read(fd, buf, 6) != 6)
		die("client i/o");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(fd);
	exit(0);
}

static int run_reuse(int n, uint16_t cport)
{
	uint16_t port;
	int lfd = bound_socket(AF_INET, SOCK_STREAM, &port), ok = 1;
	uint16_t saved = listen_port;
	char *pids = calloc((size_t)n, 12), *end = pids;
	pid_t server = bounded_fork(TIME_LIMIT_S);

	if (server < 0)
		die("fork");
	if (server == 0)
		serve(lfd, n);
	close(lfd);
	client_port = cport;
	if (!client_port) {
		listen_port = 0; /* a free port for the clients: bound once, then given back */
		close(bound_socket(AF_INET, SOCK_STREAM, &client_port));
		listen_port = saved;
	}
	if (!pids)
		die("calloc");
	for (int i = 0; i < n; i++) {
		pid_t cl = spawn(reuse_client, AF_INET, port, 1);

		end += sprintf(end, "%s%d", i ? "," : "", cl);
		ok &= wait_ok(cl); /* one after another: each reuses the 4-tuple the previous freed */
	}
	printf("client_pids=%s client_comm=%s server_pid=%d server_comm=%s port=%u client_port=%u\n",
	       pids, CLIENT_COMM, server, SERVER_COMM, port, client_port);
	free(pids);
	fflush(stdout);
	return ok && wait_ok(server) ? 0 : 1;
}

static socklen_t ip_sockaddr(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*a6);
	}
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &a->sin_addr) != 1) {
		fprintf(stderr, "traffic: bad IP address '%s'\n", addr);
		exit(2);
	}
	return sizeof(*a);
}

/* serve ADDR PORT N: a server in a namespace the test made, for N connections. */
static int run_serve(const char *addr, const char *port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len = ip_sockaddr(addr, port, &ss);
	int one = 1, lfd = socket(ss.ss_family, SOCK_STREAM, 0);

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 1024) < 0)
		die("serve listen");
	printf("listening server_pid=%d\n", getpid());
	fflush(stdout);
	serve(lfd, n);
	return 0;
}

/* udpserve ADDR PORT N: answers N datagrams from an unconnected socket (recvfrom, sendto). */
static int run_udpserve(const char *addr, const char *port, int n)
{
	struct sockaddr_storage ss, peer;
	socklen_t len = ip_sockaddr(addr, port, &ss), plen;
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	char buf[128];

	prctl(PR_SET_NAME, SERVER_COMM);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("udpserve bind");
	printf("listening server_pid=%d\n", getpid());
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		ssize_t got;

		plen = sizeof(peer);
		got = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
		if (got < 0 || sendto(fd, buf, (size_t)got, 0, (struct sockaddr *)&peer, plen) != got)
			die("udpserve i/o");
	}
	return 0;
}

/* udpping ADDR PORT N: N request/response exchanges from an unconnected socket. */
static int run_udpping(const char *addr, const char *port, int n)
{
	struct sockaddr_storage ss, local;
	socklen_t len = ip_sockaddr(addr, port, &ss), llen = sizeof(local);
	struct sockaddr_in any = { .sin_family = AF_INET };
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	char buf[100] = "ping";

	prctl(PR_SET_NAME, CLIENT_COMM);
	if (fd < 0 || (ss.ss_family == AF_INET && bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) ||
	    getsockname(fd, (struct sockaddr *)&local, &llen) < 0)
		die("udpping socket");
	for (int i = 0; i < n; i++)
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, len) != sizeof(buf) ||
		    recv(fd, buf, sizeof(buf), 0) != sizeof(buf))
			die("udpping i/o");
	printf("client_pid=%d port=%u\n", getpid(), ntohs(((struct sockaddr_in *)&local)->sin_port));
	return 0;
}

/* One of N concurrent clients: connects, waits until all have, then talks and closes. */
static void concurrent_client(const struct sockaddr_storage *ss, socklen_t len, int ready, int go)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	int fd = socket(ss->ss_family, SOCK_STREAM, 0);
	char buf[16];

	prctl(PR_SET_NAME, CLIENT_COMM);
	if (fd < 0 || connect(fd, (const struct sockaddr *)ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &llen) < 0)
		die("clients connect");
	printf("client_pid=%d port=%u\n", getpid(), ntohs(((struct sockaddr_in *)&local)->sin_port)); /* sin6_port: same place */
	fflush(stdout);
	if (write(ready, "r", 1) != 1 || read(go, buf, 1) != 0) /* go closes: all are connected */
		die("clients barrier");
	if (write(fd, "hello", 5) != 5 || read(fd, buf, 6) != 6)
		die("clients i/o");
	close(fd);
	exit(0);
}

/* clients ADDR PORT N: N processes, each with its own connection, open at the same time. */
static int run_clients(const char *addr, const char *port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len = ip_sockaddr(addr, port, &ss);
	int ready[2], go[2], failed = 0;
	char c;

	if (pipe(ready) < 0 || pipe(go) < 0)
		die("pipe");
	for (int i = 0; i < n; i++) {
		pid_t pid = bounded_fork(TIME_LIMIT_S);

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(go[1]);
			concurrent_client(&ss, len, ready[1], go[0]);
		}
	}
	close(go[0]);
	close(ready[1]); /* so a client that dies before connecting ends the wait */
	for (int i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			die("clients: a client died before connecting");
	close(go[1]);
	while (n-- > 0) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	return failed;
}

static int run_sink(const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = ip_sockaddr(addr, port, &ss);
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
	char buf[65536];

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 1) < 0)
		die("sink listen");
	printf("listening\n");
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("sink accept");
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}

static int run_bulk(const char *addr, const char *port, int kb)
{
	struct sockaddr_storage ss;
	socklen_t len = ip_sockaddr(addr, port, &ss);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	static char chunk[1024];

	prctl(PR_SET_NAME, CLIENT_COMM);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
		die("bulk connect");
	printf("client_pid=%d\n", getpid());
	fflush(stdout);
	for (int i = 0; i < kb; i++)
		if (write(fd, chunk, sizeof(chunk)) != sizeof(chunk))
			die("bulk write");
	shutdown(fd, SHUT_WR);
	while (read(fd, chunk, sizeof(chunk)) > 0) /* wait for the sink's FIN */
		;
	close(fd);
	return 0;
}

/* One connection: the server writes `greeting`, the client sleeps hold_ms, then both close. */
static int hold_ms;
static const char *greeting = "world!";

static void hold_server(int lfd, int n)
{
	char buf[64];
	int fd;

	(void)n;
	prctl(PR_SET_NAME, SERVER_COMM);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(fd, greeting, strlen(greeting)) < 0)
		die("hold server");
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	exit(0);
}

static void hold_client(int family, uint16_t port, int n)
{
	int fd;

	(void)n;
	prctl(PR_SET_NAME, CLIENT_COMM);
	fd = connect_to(family, port);
	if (fd < 0)
		die("hold connect");
	usleep(100000); /* let the server's greeting arrive: unread, it makes close() send RST */
	printf("client_pid=%d\n", getpid());
	fflush(stdout);
	usleep((useconds_t)hold_ms * 1000);
	close(fd);
	exit(0);
}

static int run_hold(void)
{
	uint16_t port;
	int lfd = bound_socket(AF_INET, SOCK_STREAM, &port);
	pid_t server = bounded_fork(TIME_LIMIT_S);

	if (server < 0)
		die("fork");
	if (server == 0) {
		/* The server's line comes first: the client's follows it. */
		printf("server_pid=%d port=%u ", getpid(), port);
		fflush(stdout);
		hold_server(lfd, 1);
	}
	close(lfd);
	pid_t cl = spawn(hold_client, AF_INET, port, 1);

	return wait_ok(cl) && wait_ok(server) ? 0 : 1;
}

static int parse_count(const char *s)
{
	int n = atoi(s);

	if (n < 1 || n > 100000) {
		fprintf(stderr, "traffic: N must be 1..100000\n");
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	int family = argc > 3 && strcmp(argv[3], "6") == 0 ? AF_INET6 : AF_INET;

	alarm(TIME_LIMIT_S);

	if (argc > 3 && strcmp(argv[1], "tcp") == 0 && strcmp(argv[3], "m") == 0) {
		family = AF_INET6;
		v4_mapped = 1;
	}

	if (getenv("TRAFFIC_PORT"))
		listen_port = (uint16_t)atoi(getenv("TRAFFIC_PORT"));

	if (argc >= 3 && strcmp(argv[1], "tcp") == 0) {
		client_uid = argc > 4 ? (uid_t)atoi(argv[4]) : 0;
		return run_pair(family, SOCK_STREAM, serve, client, parse_count(argv[2]));
	}
	if (argc >= 4 && strcmp(argv[1], "udp") == 0) {
		udp_mode = argv[2];
		if (strcmp(udp_mode, "connect") && strcmp(udp_mode, "sendto") && strcmp(udp_mode, "sendmsg")) {
			fprintf(stderr, "traffic: udp MODE is connect, sendto or sendmsg\n");
			return 2;
		}
		family = argc > 4 && strcmp(argv[4], "6") == 0 ? AF_INET6 : AF_INET;
		return run_pair(family, SOCK_DGRAM, udp_serve, udp_client, parse_count(argv[3]));
	}
	if (argc == 3 && strcmp(argv[1], "hold") == 0) {
		hold_ms = atoi(argv[2]);
		greeting = "";
		return run_hold();
	}
	if (argc == 2 && strcmp(argv[1], "reset") == 0) {
		hold_ms = 0;
		return run_hold();
	}
	if (argc == 5 && strcmp(argv[1], "serve") == 0)
		return run_serve(argv[2], argv[3], parse_count(argv[4]));
	if (argc == 5 && strcmp(argv[1], "udpserve") == 0)
		return run_udpserve(argv[2], argv[3], parse_count(argv[4]));
	if (argc == 5 && strcmp(argv[1], "udpping") == 0)
		return run_udpping(argv[2], argv[3], parse_count(argv[4]));
	if (argc == 5 && strcmp(argv[1], "clients") == 0)
		return run_clients(argv[2], argv[3], parse_count(argv[4]));
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "reuse") == 0)
		return run_reuse(parse_count(argv[2]), argc == 4 ? (uint16_t)atoi(argv[3]) : 0);
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return run_sink(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "bulk") == 0)
		return run_bulk(argv[2], argv[3], parse_count(argv[4]));
	if (argc == 2 && strcmp(argv[1], "unaccepted") == 0)
		return run_unaccepted();
	if (argc >= 2 && strcmp(argv[1], "refused") == 0) {
		family = argc > 2 && strcmp(argv[2], "6") == 0 ? AF_INET6 : AF_INET;
		return run_refused(family);
	}
	fprintf(stderr, "usage: traffic tcp N [4|6|m] [UID] | traffic refused [4|6] | traffic unaccepted | traffic udp MODE N [4|6] | traffic reuse N\n");
	return 2;
}
