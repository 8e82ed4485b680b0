/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load for the benchmarks, on loopback only, bounded in count and time:
 *   loadgen tcp K N   K client processes, N connections in all: connect,
 *                     send 64 bytes, read 64 back, close (a connection storm)
 *   loadgen udp K N   K clients, N request/response datagram pairs in all
 * Prints "ops=N seconds=S rate=R" on success; stops itself after 120 s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define TIME_LIMIT_S 120

static struct sockaddr_in server_addr;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int bound(int type)
{
	int fd = socket(AF_INET, type, 0), one = 1;
	socklen_t len = sizeof(server_addr);

	server_addr.sin_family = AF_INET;
	server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server_addr.sin_port = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&server_addr, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4096) < 0) ||
	    getsockname(fd, (struct sockaddr *)&server_addr, &len) < 0)
		die("server socket");
	return fd;
}

/* Serves forever; the parent kills it when the clients are done. */
static void tcp_server(int lfd)
{
	char buf[MSG];

	prctl(PR_SET_NAME, "load_server");
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (read(fd, buf, MSG) == MSG)
			(void)!write(fd, buf, MSG);
		close(fd);
	}
}

static void tcp_client(int n)
{
	char buf[MSG] = { 0 };

	prctl(PR_SET_NAME, "load_client");
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&server_addr, sizeof(server_addr)) < 0 ||
		    write(fd, buf, MSG) != MSG || read(fd, buf, MSG) != MSG)
			die("tcp client");
		close(fd);
	}
	exit(0);
}

static void udp_server(int fd)
{
	char buf[MSG];
	struct sockaddr_in from;

	prctl(PR_SET_NAME, "load_server");
	for (;;) {
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, MSG, 0, (struct sockaddr *)&from, &len);

		if (n > 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
}

static void udp_client(int n)
{
	char buf[MSG] = { 0 };
	struct timeval timeout = { .tv_sec = 1 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	prctl(PR_SET_NAME, "load_client");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	for (int i = 0; i < n; i++) {
		if (sendto(fd, buf, MSG, 0, (struct sockaddr *)&server_addr, sizeof(server_addr)) != MSG)
			die("udp send");
		if (recv(fd, buf, MSG, 0) != MSG)
			die("udp receive"); /* loopback does not lose: a timeout is a bug */
	}
	exit(0);
}

int main(int argc, char **argv)
{
	int tcp = argc == 4 && strcmp(argv[1], "tcp") == 0;
	int k = argc == 4 ? atoi(argv[2]) : 0, n = argc == 4 ? atoi(argv[3]) : 0;
	pid_t server, clients[256];
	double start;
	int ok = 1;

	if ((!tcp && (argc != 4 || strcmp(argv[1], "udp"))) || k < 1 || k > 256 || n < k || n > 10000000) {
		fprintf(stderr, "usage: loadgen tcp|udp K N  (1 <= K <= 256, K <= N <= 10000000)\n");
		return 2;
	}
	int sfd = bound(tcp ? SOCK_STREAM : SOCK_DGRAM);

	server = fork();
	if (server == 0)
		tcp ? tcp_server(sfd) : udp_server(sfd);
	alarm(TIME_LIMIT_S); /* bounded in time whatever happens */
	start = now();
	for (int i = 0; i < k; i++) {
		clients[i] = fork();
		if (clients[i] == 0)
			tcp ? tcp_client(n / k) : udp_client(n / k);
	}
	for (int i = 0; i < k; i++) {
		int status;

		waitpid(clients[i], &status, 0);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	double secs = now() - start;

	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	if (!ok)
		return 1;
	printf("ops=%d seconds=%.3f rate=%.0f\n", n / k * k, secs, (n / k * k) / secs);
	return 0;
}
