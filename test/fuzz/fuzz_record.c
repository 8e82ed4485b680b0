/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the record codec (utils/record/record.c), which reads every
 * record that comes from a file, a fifo or the network. Two properties on
 * every input, beyond "no crash, no read outside the bytes":
 *  1. The input as wire bytes. A refused record leaves all zeros and a
 *     reason. An accepted one is exactly total_len bytes long (one byte less
 *     is refused), holds only terminated strings, and survives a round trip:
 *     decode(encode(decode(b))) == decode(b).
 *  2. The input as a struct ebpf_record x (strings cut at their field's end):
 *     decode(encode(x)) == x, EBPF_RECORD_MAX_WIRE is always room enough,
 *     and encoding into a smaller buffer gives 0 or the same bytes, never a
 *     write past it.
 */
#include "utils/record/record.h"
#include "fuzz.h"

#define EACH_STRING(X) X(ev.comm) X(ev.parent_comm) X(ev.thread_comm) X(ev.prev_comm) X(ev.acceptor_comm) X(exe) X(container_id) X(container_name) \
	X(container_runtime) X(pod) X(pod_namespace) X(k8s_container) X(host) X(ifname) X(machine_id)

static void canon(struct ebpf_record *r)
{
#define CANON(f) fuzz_canon_string(r->f, sizeof(r->f));
	EACH_STRING(CANON)
#undef CANON
}

static bool terminated(const struct ebpf_record *r)
{
#define TERMINATED(f) if (strnlen(r->f, sizeof(r->f)) == sizeof(r->f)) return false;
	EACH_STRING(TERMINATED)
#undef TERMINATED
	return true;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_decode(const uint8_t *data, size_t size)
{
	static struct ebpf_record a, b;
	static uint8_t wire[EBPF_RECORD_MAX_WIRE];
	const char *why = NULL;
	size_t total, n;

	if (ebpf_record_decode(data, size, &a, &why) < 0) {
		FUZZ_ASSERT(why != NULL && all_zero(&a, sizeof(a)));
		return;
	}
	total = le32(data + 4);
	FUZZ_ASSERT(total <= size && terminated(&a));
	FUZZ_ASSERT(ebpf_record_decode(data, total, &b, NULL) == 0 && memcmp(&a, &b, sizeof(a)) == 0);
	FUZZ_ASSERT(ebpf_record_decode(data, total - 1, &b, NULL) < 0);

	canon(&a);
	n = ebpf_record_encode(&a, wire, sizeof(wire));
	FUZZ_ASSERT(n > 0);
	FUZZ_ASSERT(ebpf_record_decode(wire, n, &b, NULL) == 0);
	FUZZ_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
}

static void check_encode(const uint8_t *data, size_t size)
{
	static struct ebpf_record x, y;
	static uint8_t wire[EBPF_RECORD_MAX_WIRE];
	size_t n, m, cap;
	uint8_t *small;

	memset(&x, 0, sizeof(x));
	memcpy(&x, data, size < sizeof(x) ? size : sizeof(x));
	canon(&x);
	n = ebpf_record_encode(&x, wire, sizeof(wire));
	FUZZ_ASSERT(n > 0 && n == le32(wire + 4));
	FUZZ_ASSERT(ebpf_record_decode(wire, n, &y, NULL) == 0);
	FUZZ_ASSERT(memcmp(&x, &y, sizeof(x)) == 0);

	/* A buffer exactly cap bytes long: ASan sees any write past it. */
	cap = size ? data[size - 1] * (n + 1) / 256 : 0;
	small = malloc(cap ? cap : 1);
	m = ebpf_record_encode(&x, small, cap);
	FUZZ_ASSERT(cap >= n ? m == n : m == 0);
	FUZZ_ASSERT(m == 0 || memcmp(small, wire, n) == 0);
	free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_encode(data, size);
	return 0;
}
