/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load for the benchmarks, bounded in count and time, to loopback or to a
 * namespace the bench made:
 *   loadgen [OPTIONS] tcp K N   K client processes, N connections in all:
 *                               connect, send 64 bytes, read 64 back, close
 *   loadgen [OPTIONS] udp K N   K clients, N request/response datagram pairs
 *                               in all (2N datagrams sent, 2N received)
 *   loadgen [OPTIONS] stream B  one connection sending B bytes to a sink
 * Options:
 *   --rate R       offered load: R connections (or requests) per second in
 *                  all, spread over the clients; for stream, R bytes per
 *                  second; unpaced without it
 *   --netns NAME   the server listens in network namespace NAME (ip netns)
 *   --addr A       the server's IPv4 address (default 127.0.0.1)
 *   --port P       the server's port (default: any free one)
 * Prints "ops=N seconds=S rate=R cpu=C" (C: user + system seconds of all
 * its processes, the server's included); stops itself after 120 s.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test/helpers/bounded_fork.h"

#define MSG 64
#define CHUNK (64 * 1024)
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

/* Pacing: operation i of a client starts no earlier than start + i / rate. */
struct pace {
	struct timespec start;
	double interval_s; /* 0: unpaced */
};

static void pace_init(struct pace *p, double rate)
{
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->interval_s = rate > 0 ? 1.0 / rate : 0;
}

/* Behind schedule, no sleep: the client catches up, so achieved <= offered. */
static void pace_wait(const struct pace *p, int i)
{
	if (p->interval_s == 0)
		return;
	double at = p->start.tv_sec + p->start.tv_nsec / 1e9 + i * p->interval_s;
	struct timespec ts = { .tv_sec = (time_t)at, .tv_nsec = (long)((at - (time_t)at) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * A socket made while in namespace NAME stays there: switch, make, switch
 * back. The clients stay in ours and reach it over the namespace's veth.
 */
static int socket_in(const char *netns, int type)
{
	char path[256];
	int own = -1, target = -1, fd;

	if (netns) {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		target = open(path, O_RDONLY | O_CLOEXEC);
		if (own < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0)
			die(path);
	}
	fd = socket(AF_INET, type, 0);
	if (netns) {
		if (setns(own, CLONE_NEWNET) < 0)
			die("back to our namespace");
		close(own);
		close(target);
	}
	return fd;
}

static int bound(const char *netns, int type)
{
	int fd = socket_in(netns, type), one = 1;
	socklen_t len = sizeof(server_addr);

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

static void tcp_client(int n, double rate)
{
	char buf[MSG] = { 0 };
	struct pace p;

	prctl(PR_SET_NAME, "load_client");
	pace_init(&p, rate);
	for (int i = 0; i < n; i++) {
		pace_wait(&p, i);
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

static void udp_client(int n, double rate)
{
	char buf[MSG] = { 0 };
	struct timeval timeout = { .tv_sec = 1 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pace p;

	prctl(PR_SET_NAME, "load_client");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	pace_init(&p, rate);
	for (int i = 0; i < n; i++) {
		pace_wait(&p, i);
		if (sendto(fd, buf, MSG, 0, (struct sockaddr *)&server_addr, sizeof(server_addr)) != MSG)
			die("udp send");
		if (recv(fd, buf, MSG, 0) != MSG)
			die("udp receive"); /* loopback does not lose: a timeout is a bug */
	}
	exit(0);
}

/* The sink reads to the end, then closes: the sender's wait for that ends the run. */
static void stream_server(int lfd)
{
	static char buf[CHUNK];

	prctl(PR_SET_NAME, "load_server");
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

static void stream_client(long long bytes, double rate)
{
	static char buf[CHUNK];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct pace p;

	prctl(PR_SET_NAME, "load_client");
	if (fd < 0 || connect(fd, (struct sockaddr *)&server_addr, sizeof(server_addr)) < 0)
		die("stream connect");
	pace_init(&p, rate / CHUNK); /* one chunk at a time */
	for (long long left = bytes; left > 0;) {
		pace_wait(&p, (int)((bytes - left) / CHUNK));
		ssize_t n = write(fd, buf, left < CHUNK ? (size_t)left : CHUNK);

		if (n <= 0)
			die("stream write");
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	if (read(fd, buf, 1) != 0) /* EOF once the sink has read everything */
		die("stream end");
	exit(0);
}

static int usage(void)
{
	fprintf(stderr, "usage: loadgen [--rate R] [--netns NAME] [--addr A] [--port P] tcp|udp K N  (1 <= K <= 256, K <= N <= 10000000)\n"
			"       loadgen [--rate BYTES_PER_S] [--netns NAME] [--addr A] [--port P] stream BYTES\n");
	return 2;
}

static double children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *addr = "127.0.0.1";
	double rate = 0;
	int a = 1;

	for (; a + 1 < argc && strncmp(argv[a], "--", 2) == 0; a += 2) {
		if (strcmp(argv[a], "--rate") == 0)
			rate = atof(argv[a + 1]);
		else if (strcmp(argv[a], "--netns") == 0)
			netns = argv[a + 1];
		else if (strcmp(argv[a], "--addr") == 0)
			addr = argv[a + 1];
		else if (strcmp(argv[a], "--port") == 0)
			server_addr.sin_port = htons((uint16_t)atoi(argv[a + 1]));
		else
			return usage();
	}
	argc -= a - 1;
	argv += a - 1;
	int stream = argc == 3 && strcmp(argv[1], "stream") == 0;
	int tcp = argc == 4 && strcmp(argv[1], "tcp") == 0, udp = argc == 4 && strcmp(argv[1], "udp") == 0;
	int k = stream ? 1 : argc == 4 ? atoi(argv[2]) : 0;
	long long n = stream ? atoll(argv[2]) : argc == 4 ? atoll(argv[3]) : 0;
	pid_t server, clients[256];
	int ok = 1;

	server_addr.sin_family = AF_INET;
	if (!(tcp || udp || stream) || k < 1 || k > 256 || n < k || (!stream && n > 10000000) ||
	    rate < 0 || inet_pton(AF_INET, addr, &server_addr.sin_addr) != 1)
		return usage();
	int sfd = bound(netns, udp ? SOCK_DGRAM : SOCK_STREAM);

	server = bounded_fork(TIME_LIMIT_S);
	if (server == 0)
		stream ? stream_server(sfd) : tcp ? tcp_server(sfd) : udp_server(sfd);
	alarm(TIME_LIMIT_S); /* bounded in time whatever happens */
	double start = now();

	for (int i = 0; i < k; i++) {
		clients[i] = bounded_fork(TIME_LIMIT_S);
		if (clients[i] == 0)
			stream ? stream_client(n, rate) : tcp ? tcp_client((int)(n / k), rate / k)
			       : udp_client((int)(n / k), rate / k);
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
	long long ops = stream ? n : n / k * k;

	printf("ops=%lld seconds=%.3f rate=%.0f cpu=%.3f\n", ops, secs, ops / secs, children_cpu());
	return 0;
}
