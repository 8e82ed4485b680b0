/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known loopback TCP traffic for the tests, from processes whose pids we
 * print: a listener, an acceptor process that did not create the listening
 * socket, and a client process with its own comm.
 *
 *   traffic tcp N [4|6]   N connections: client sends 5 bytes, server 6
 *   traffic refused [4|6] one connect() to a port nobody listens on
 *
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
#include <sys/wait.h>
#include <unistd.h>

#define CLIENT_COMM "tcp_client"
#define SERVER_COMM "tcp_server"

static void die(const char *what)
{
	fprintf(stderr, "traffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t loopback(int family, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(port);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	return sizeof(*a);
}

static int listener(int family, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, 0, &ss);
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0)
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

static void client(int family, uint16_t port, int n)
{
	char buf[16];

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
	pid_t pid = fork();

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

static int run_tcp(int family, int n)
{
	uint16_t port;
	int lfd = listener(family, &port);
	pid_t server = fork();

	if (server < 0)
		die("fork");
	if (server == 0)
		serve(lfd, n);
	close(lfd); /* the acceptor owns it now: accept happens in another process */
	pid_t cl = spawn(client, family, port, n);

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
	int lfd = listener(family, &port);

	close(lfd); /* the port is now known to be closed */
	pid_t cl = spawn(refused_client, family, port, 1);

	printf("client_pid=%d client_comm=%s port=%u\n", cl, CLIENT_COMM, port);
	fflush(stdout);
	return wait_ok(cl) ? 0 : 1;
}

int main(int argc, char **argv)
{
	int family = argc > 3 && strcmp(argv[3], "6") == 0 ? AF_INET6 : AF_INET;

	if (argc >= 3 && strcmp(argv[1], "tcp") == 0) {
		int n = atoi(argv[2]);

		if (n < 1 || n > 100000) {
			fprintf(stderr, "traffic: N must be 1..100000\n");
			return 2;
		}
		return run_tcp(family, n);
	}
	if (argc >= 2 && strcmp(argv[1], "refused") == 0) {
		family = argc > 2 && strcmp(argv[2], "6") == 0 ? AF_INET6 : AF_INET;
		return run_refused(family);
	}
	fprintf(stderr, "usage: traffic tcp N [4|6] | traffic refused [4|6]\n");
	return 2;
}
