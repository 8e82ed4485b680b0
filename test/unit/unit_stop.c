/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When a capture stops (extcap/stop.c): a stop signal, or the quit
 * message Wireshark 4.7+ writes on the extcap control pipe. Wireshark's
 * side is played as master's extcap.c plays it (msg_queue_dispatch():
 * open O_WRONLY|O_NONBLOCK once there is a message; extcap_control_out_cb():
 * one write() per message; extcap_request_stop(): the quit message is
 * { 'Q', 0, 0, 0 }). No Wireshark 4.7 runs here; t_extcap_control drives a
 * live capture the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "extcap/stop.h"
#include "unit.h"

static char dir[] = "/tmp/unit_stop.XXXXXX";
static int fifos;

/* A fresh control pipe, its stop request, and Wireshark's end opened as Wireshark opens it. */
static struct stop_request *open_pipe(int *wireshark)
{
	char path[64];
	struct stop_request *s;

	snprintf(path, sizeof(path), "%s/control%d", dir, fifos++);
	CHECK_EQ(mkfifo(path, 0600), 0);
	/* Before we read it, Wireshark's non-blocking open fails: it retries every 0.5 s. */
	CHECK(open(path, O_WRONLY | O_NONBLOCK) < 0 && errno == ENXIO);
	s = stop_request_open(false, path);
	CHECK(s != NULL);
	*wireshark = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(*wireshark >= 0);
	return s;
}

static void send_msg(int fd, const void *msg, size_t len)
{
	CHECK_EQ(write(fd, msg, len), (ssize_t)len);
}

/* Is the stop descriptor readable now (no waiting: what was written is there)? */
static bool readable(struct stop_request *s)
{
	struct pollfd p = { .fd = stop_request_fd(s), .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void test_quit(void)
{
	static const uint8_t quit[4] = { 'Q', 0, 0, 0 };
	int ws;
	struct stop_request *s = open_pipe(&ws);

	CHECK(!readable(s));
	send_msg(ws, quit, sizeof(quit));
	CHECK(readable(s));
	CHECK(stop_request_asked(s));
	close(ws);
	stop_request_close(s);
	printf("ok: Wireshark's quit message stops the capture\n");
}

/* A toolbar message, an unknown one and a header cut in pieces are read and ignored, then the quit. */
static void test_ignored_then_quit(void)
{
	static const uint8_t initialized[6] = { 'T', 0, 0, 2, 0, 0 }; /* control 0, command 0 */
	static const uint8_t unknown[9] = { 'X', 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
	static const uint8_t quit_with_payload[6] = { 'Q', 0, 0, 2, 'o', 'k' };
	int ws;
	struct stop_request *s = open_pipe(&ws);

	send_msg(ws, initialized, sizeof(initialized));
	send_msg(ws, unknown, sizeof(unknown));
	CHECK(readable(s));
	CHECK(!stop_request_asked(s));
	CHECK(!readable(s));
	send_msg(ws, quit_with_payload, 2);
	CHECK(!stop_request_asked(s));
	send_msg(ws, quit_with_payload + 2, 3);
	CHECK(!stop_request_asked(s)); /* a message counts once whole */
	send_msg(ws, quit_with_payload + 5, 1);
	CHECK(stop_request_asked(s));
	close(ws);
	stop_request_close(s);
	printf("ok: toolbar and unknown messages ignored, a quit read in pieces stops\n");
}

/* Garbage that claims 16 MB, then Wireshark's end closes: no stop, and nothing left to poll. */
static void test_garbage_then_close(void)
{
	static const uint8_t garbage[7] = { 0xff, 0xff, 0xff, 0xff, 'Q', 0, 0 };
	int ws;
	struct stop_request *s = open_pipe(&ws);

	send_msg(ws, garbage, sizeof(garbage));
	CHECK(!stop_request_asked(s));
	close(ws);
	CHECK(readable(s)); /* the end of the pipe */
	CHECK(!stop_request_asked(s));
	CHECK(!readable(s)); /* dropped: no busy loop on a closed pipe */
	stop_request_close(s);
	printf("ok: garbage and a closed pipe neither stop nor spin\n");
}

static void test_signal(void)
{
	struct stop_request *s = stop_request_open(false, NULL);

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(!readable(s));
	raise(SIGTERM); /* blocked: it waits on the descriptor */
	CHECK(readable(s));
	CHECK(stop_request_asked(s));
	stop_request_close(s);
	printf("ok: SIGTERM stops the capture\n");
}

static void test_no_pipe(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/none", dir);
	CHECK(stop_request_open(false, path) == NULL);
	printf("ok: a control pipe that cannot be opened is an error\n");
}

int main(void)
{
	char path[64];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_signal();
	test_quit();
	test_ignored_then_quit();
	test_garbage_then_close();
	test_no_pipe();
	for (int i = 0; i < fifos; i++) {
		snprintf(path, sizeof(path), "%s/control%d", dir, i);
		unlink(path);
	}
	rmdir(dir);
	return unit_report("unit_stop");
}
