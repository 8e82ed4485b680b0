/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/*
 * Wireshark's extcap control pipe, read as Wireshark master's extcap.c
 * writes it: sync pipe messages (capture/sync_pipe.h), an indicator byte,
 * the payload's length in 3 bytes (network order), the payload. To stop an
 * extcap that declared {control=2}, extcap_request_stop() queues the quit
 * message { 'Q', 0, 0, 0 } instead of sending SIGTERM; msg_queue_dispatch()
 * opens the pipe O_WRONLY|O_NONBLOCK when it has a message (retrying every
 * 0.5 s while we have no reader open), extcap_control_out_cb() writes each
 * message whole and closes the pipe after the quit. What is not ended after
 * EXTCAP_CLEANUP_TIMEOUT (30 s) gets SIGKILL (extcap_terminate_cb()).
 * Toolbar messages ('T') come only to an extcap with toolbar controls.
 * Note: msg_queue_dispatch() gives up without trying once 30 s have passed
 * since the capture began, and the quit is the first message it has for
 * us: as read in the source, a capture longer than that gets no quit (and
 * no SIGTERM), then SIGKILL. Nothing on our side can change that.
 */
#define CONTROL_QUIT 'Q'

struct stop_request {
	int poll_fd;    /* epoll: the signals and the control pipe */
	int signal_fd;
	int control_fd; /* -1: none, or Wireshark closed its end */
	uint8_t header[4];
	unsigned header_len;
	uint32_t payload_left; /* of the message whose header is complete */
};

/* Consumes n bytes of messages; true once a whole quit message is read (what follows it is moot). */
static bool control_feed(struct stop_request *s, const uint8_t *p, size_t n)
{
	for (;;) {
		if (s->header_len == 4 && s->payload_left == 0) {
			s->header_len = 0;
			if (s->header[0] == CONTROL_QUIT)
				return true;
			continue; /* asks nothing of us: dropped */
		}
		if (n == 0)
			return false;
		if (s->header_len < 4) {
			s->header[s->header_len++] = *p++;
			n--;
			if (s->header_len == 4)
				s->payload_left = (uint32_t)s->header[1] << 16 | s->header[2] << 8 | s->header[3];
			continue;
		}
		size_t skip = n < s->payload_left ? n : s->payload_left;

		p += skip;
		n -= skip;
		s->payload_left -= (uint32_t)skip;
	}
}

/* Wireshark closes its end after the quit (or on giving up): nothing more will come. */
static void control_close(struct stop_request *s)
{
	if (s->control_fd < 0)
		return;
	epoll_ctl(s->poll_fd, EPOLL_CTL_DEL, s->control_fd, NULL);
	close(s->control_fd);
	s->control_fd = -1;
}

static bool control_read(struct stop_request *s)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = read(s->control_fd, buf, sizeof(buf))) > 0)
		if (control_feed(s, buf, (size_t)n))
			return true;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		control_close(s);
	return false;
}

static int watch(int poll_fd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(poll_fd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * The control pipe is opened without waiting for a writer, at once: then
 * Wireshark's non-blocking open finds its reader whenever it asks. The
 * path is Wireshark's, opened with the user's rights.
 */
static int open_control(struct stop_request *s, const char *path)
{
	s->control_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->control_fd < 0 || watch(s->poll_fd, s->control_fd) < 0) {
		fprintf(stderr, "ebpfcap: cannot read the extcap control pipe '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct stop_request *stop_request_open(bool die_with_parent, const char *control_in)
{
	struct stop_request *s = calloc(1, sizeof(*s));
	sigset_t set;

	if (!s) {
		fprintf(stderr, "ebpfcap: out of memory\n");
		return NULL;
	}
	s->poll_fd = s->signal_fd = s->control_fd = -1;
	stop_signals(&set);
	sigaddset(&set, SIGCHLD); /* our only child is `-- COMMAND`: its end ends the capture */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			raise(SIGTERM); /* the parent died before prctl() */
	}
	s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	s->poll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->signal_fd < 0 || s->poll_fd < 0 || watch(s->poll_fd, s->signal_fd) < 0) {
		fprintf(stderr, "ebpfcap: cannot watch for stop signals: %s\n", strerror(errno));
		stop_request_close(s);
		return NULL;
	}
	if (control_in && open_control(s, control_in) < 0) {
		stop_request_close(s);
		return NULL;
	}
	return s;
}

int stop_request_fd(const struct stop_request *s)
{
	return s->poll_fd;
}

bool stop_request_asked(struct stop_request *s)
{
	struct signalfd_siginfo si;

	if (read(s->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return true;
	return s->control_fd >= 0 && control_read(s);
}

void stop_request_close(struct stop_request *s)
{
	if (!s)
		return;
	control_close(s);
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	if (s->poll_fd >= 0)
		close(s->poll_fd);
	free(s);
}
