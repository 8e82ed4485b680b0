/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One filter: what filter_wants() takes from a record, as the kernel would (bpf/ebpfcap.bpf.c). */
#include <string.h>
#include <sys/socket.h>

#include "unit.h"
#include "extcap/filter.h"

static struct event_filter every(void)
{
	struct event_filter f = { .event_type_mask = 0xffffffff, .descendants_fd = -1 };

	return f;
}

static struct ebpf_event connect_of(uint32_t pid, uint32_t ppid, const char *comm)
{
	struct ebpf_event ev = { .type = EBPF_TCP_CONNECT, .family = AF_INET, .pid = pid, .ppid = ppid,
				 .uid = 1000, .sport = 40000, .dport = 443 };

	strcpy(ev.comm, comm);
	return ev;
}

/* Without a kernel map: the process, or a direct child of it (the record's ppid). */
static void test_pid_and_children(void)
{
	struct event_filter f = every();

	f.pid = 100;
	CHECK(filter_wants(&f, &(struct ebpf_event){ 0 }) == false); /* type 0 is no event */
	struct ebpf_event self = connect_of(100, 1, "curl"), child = connect_of(101, 100, "sh"),
			  grandchild = connect_of(102, 101, "curl"), other = connect_of(200, 1, "curl");

	CHECK(filter_wants(&f, &self));
	CHECK(filter_wants(&f, &child));
	CHECK(!filter_wants(&f, &grandchild));
	CHECK(!filter_wants(&f, &other));
}

static void test_owner_unknown(void)
{
	struct event_filter f = every();
	struct ebpf_event ev = connect_of(0, 0, "");

	ev.flags = EBPF_FLAG_NO_OWNER;
	CHECK(filter_wants(&f, &ev)); /* no process chosen: every owner passes, known or not */
	f.by_uid = true;
	f.uid = 0;
	CHECK(!filter_wants(&f, &ev)); /* uid 0 is not "root" when the owner is unknown */
}

static void test_comm_uid_flow(void)
{
	struct event_filter f = every();
	struct ebpf_event ev = connect_of(5, 1, "curl");

	strcpy(f.comm, "curl");
	CHECK(filter_wants(&f, &ev));
	strcpy(f.comm, "cur");
	CHECK(!filter_wants(&f, &ev));
	f = every();
	f.by_uid = true;
	f.uid = 1000;
	CHECK(filter_wants(&f, &ev));
	f.uid = 0;
	CHECK(!filter_wants(&f, &ev));
	f = every();
	f.port = 443;
	CHECK(filter_wants(&f, &ev));
	f.port = 40000;
	CHECK(filter_wants(&f, &ev));
	f.port = 80;
	CHECK(!filter_wants(&f, &ev));
	f = every();
	f.family = AF_INET6;
	CHECK(!filter_wants(&f, &ev));
}

static void test_types_drops_cgroups(void)
{
	struct event_filter f = every();
	struct ebpf_event ev = connect_of(5, 1, "curl"), drops = { .type = EBPF_CAPTURE_DROPS };

	f.event_type_mask = 1u << EBPF_TCP_CLOSE;
	CHECK(!filter_wants(&f, &ev));
	CHECK(filter_wants(&f, &drops)); /* loss is always shown */
	ev.type = 40;
	f.event_type_mask = 0xffffffff;
	CHECK(!filter_wants(&f, &ev)); /* a type beyond the mask is no type we asked for */
	ev.type = EBPF_TCP_CONNECT;
	f.cgroup_ids[f.n_cgroups++] = 1234;
	ev.cgroup_id = 1234;
	CHECK(!filter_wants(&f, &ev)); /* "and below" is the kernel's to answer */
	f.port = 80;
	CHECK(filter_wants(&f, &drops));
}

int main(void)
{
	test_pid_and_children();
	test_owner_unknown();
	test_comm_uid_flow();
	test_types_drops_cgroups();
	return unit_report("unit_filter");
}
