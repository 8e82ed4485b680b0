/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* memmem, memrchr */
#include "tls_secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tls.skel.h"
#include "utils/attrib/packet_tuple.h"

/* Where Debian, Fedora and others keep the shared OpenSSL 3 library. */
static const char *const libssl_paths[] = {
	"/usr/lib/x86_64-linux-gnu/libssl.so.3",
	"/usr/lib64/libssl.so.3",
	"/usr/lib/libssl.so.3",
	"/lib/x86_64-linux-gnu/libssl.so.3",
};

/* The library's entry points that run a handshake: probed on entry and on return. */
static const char *const handshake_calls[] = { "SSL_do_handshake", "SSL_connect", "SSL_accept" };
#define N_HANDSHAKE_CALLS (sizeof(handshake_calls) / sizeof(handshake_calls[0]))
/* And SSL_free on entry (bpf/tls.bpf.c says why not SSL_read/SSL_write). */
#define N_LINKS (2 * N_HANDSHAKE_CALLS + 1)

/*
 * Both ends of a connection on this machine report the same keys: the
 * client_randoms seen lately, direct-mapped (they are random), say which.
 */
#define RECENT_SLOTS 4096
#define GAPS_SAID 256 /* processes told about once (a ring: one more line after many) */

struct tls_secrets {
	uint8_t recent[RECENT_SLOTS][TLS_RANDOM_LEN];
	uint32_t gaps_said[GAPS_SAID];
	unsigned n_gaps_said;
	struct tls_bpf *skel;
	struct ring_buffer *ring;
	struct bpf_link *links[N_LINKS];
	size_t n_links;
	tls_keys_fn fn;
	void *ctx;
	int error;
};

/* ---- is this the OpenSSL whose layout we know? ---- */

struct accessor {
	const char *name;
	uint8_t code[8]; /* its first instruction, reading the field we read */
	size_t len;
};

#define LE32(v) (uint8_t)((v) & 0xff), (uint8_t)(((v) >> 8) & 0xff), (uint8_t)(((v) >> 16) & 0xff), \
		(uint8_t)(((v) >> 24) & 0xff)

/*
 * x86_64 code of exported one-line accessors: each begins by loading the
 * field at the offset bpf/openssl_3_0.h gives. Another layout, another
 * compiler's choice or another architecture: we say so and take nothing.
 */
static const struct accessor accessors[] = {
	{ "SSL_version", { 0x8b, 0x07 }, 2 },                                       /* mov (%rdi),%eax */
	{ "SSL_is_server", { 0x8b, 0x47, SSL_ST_SERVER }, 3 },                      /* mov 0x38(%rdi),%eax */
	{ "SSL_get_state", { 0x8b, 0x47, SSL_ST_HAND_STATE }, 3 },
	{ "SSL_in_init", { 0x8b, 0x47, SSL_ST_IN_INIT }, 3 },
	{ "SSL_get_session", { 0x48, 0x8b, 0x87, LE32(SSL_ST_SESSION) }, 7 },      /* mov 0x918(%rdi),%rax */
	{ "SSL_SESSION_get0_cipher", { 0x48, 0x8b, 0x87, LE32(SSL_SESSION_CIPHER) }, 7 },
	{ "SSL_CIPHER_get_id", { 0x8b, 0x47, SSL_CIPHER_ID }, 3 },
};
#define N_ACCESSORS (sizeof(accessors) / sizeof(accessors[0]))

/* The file bytes of a dynamic symbol's code; false if it is not there. */
static bool symbol_code(Elf *elf, const char *name, uint8_t *out, size_t len, int fd)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			Elf_Scn *text;
			GElf_Shdr tsh;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_value == 0 ||
			    strcmp(elf_strptr(elf, sh.sh_link, sym.st_name), name) != 0)
				continue;
			text = elf_getscn(elf, sym.st_shndx);
			if (!text || !gelf_getshdr(text, &tsh))
				return false;
			return pread(fd, out, len, (off_t)(sym.st_value - tsh.sh_addr + tsh.sh_offset)) == (ssize_t)len;
		}
	}
	return false;
}

/* NULL if lib is the OpenSSL 3.0 we know, else why not. */
static const char *layout_mismatch(const char *lib)
{
	static char why[128];
	int fd = open(lib, O_RDONLY | O_CLOEXEC);
	Elf *elf = NULL;
	const char *bad = NULL;

	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_begin(fd, ELF_C_READ, NULL)))
		bad = "it cannot be read as ELF";
	for (size_t i = 0; !bad && i < N_ACCESSORS; i++) {
		uint8_t code[8];

		if (!symbol_code(elf, accessors[i].name, code, accessors[i].len, fd) ||
		    memcmp(code, accessors[i].code, accessors[i].len) != 0) {
			snprintf(why, sizeof(why), "its %s does not read the OpenSSL 3.0 layout we know",
				 accessors[i].name);
			bad = why;
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return bad;
}

/* ---- probes ---- */

static const char *find_libssl(void)
{
	for (size_t i = 0; i < sizeof(libssl_paths) / sizeof(libssl_paths[0]); i++)
		if (access(libssl_paths[i], R_OK) == 0)
			return libssl_paths[i];
	return NULL;
}

static uint8_t *recent_slot(const struct tls_secrets *ts, const uint8_t *client_random)
{
	uint64_t h;

	memcpy(&h, client_random, sizeof(h));
	return (uint8_t *)ts->recent[h % RECENT_SLOTS];
}

static bool have_keys(const struct tls_secrets *ts, const uint8_t *client_random)
{
	return memcmp(recent_slot(ts, client_random), client_random, TLS_RANDOM_LEN) == 0;
}

/* Whether this connection's keys went out already (from its other end); remembers it. */
static bool seen_lately(struct tls_secrets *ts, const uint8_t *client_random)
{
	if (have_keys(ts, client_random))
		return true;
	memcpy(recent_slot(ts, client_random), client_random, TLS_RANDOM_LEN);
	return false;
}

static int on_secret(void *ctx, void *data, size_t size)
{
	struct tls_secrets *ts = ctx;
	const struct tls_secret_event *e = data;
	char lines[TLS_KEYLOG_MAX];
	struct tls_keys keys;

	if (size < sizeof(*e))
		return 0;
	keys.len = tls_keylog_lines(e, lines, sizeof(lines));
	if (keys.len == 0 || seen_lately(ts, e->client_random))
		return 0;
	keys.lines = lines;
	keys.pid = e->pid;
	keys.comm = e->comm;
	return ts->fn(&keys, ts->ctx);
}

static void configure(struct tls_bpf *skel, const struct event_filter *f, const struct kernel_events *ke)
{
	skel->rodata->filter_pids = f->pid != 0;
	skel->rodata->filter_cgroups = f->n_cgroups > 0;
	memcpy((char *)skel->rodata->filter_comm, f->comm, sizeof(skel->rodata->filter_comm));
	skel->rodata->filter_by_uid = f->by_uid;
	skel->rodata->filter_uid = f->uid;
	skel->rodata->cgroup_v1 = strcmp(kernel_events_cgroup_root(), "/sys/fs/cgroup") != 0;
	bpf_map__reuse_fd(skel->maps.ebpfcap_pids, kernel_events_pids_fd(ke));
	bpf_map__reuse_fd(skel->maps.ebpfcap_cgroups, kernel_events_cgroups_fd(ke));
}

static int attach_one(struct tls_secrets *ts, struct bpf_program *prog, const char *lib, const char *func,
		      bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = func, .retprobe = retprobe);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, -1, lib, 0, &uo);

	if (!link) {
		int err = -errno;

		fprintf(stderr, "ebpfcap: --tls-secrets: cannot probe %s in %s: %s\n", func, lib, strerror(-err));
		return err;
	}
	ts->links[ts->n_links++] = link;
	return 0;
}

static int attach(struct tls_secrets *ts, const char *lib)
{
	int err = 0;

	for (size_t i = 0; !err && i < N_HANDSHAKE_CALLS; i++)
		err = attach_one(ts, ts->skel->progs.ebpfcap_tls_in, lib, handshake_calls[i], false) ?:
		      attach_one(ts, ts->skel->progs.ebpfcap_tls_out, lib, handshake_calls[i], true);
	return err ?: attach_one(ts, ts->skel->progs.ebpfcap_tls_free, lib, "SSL_free", false);
}

struct tls_secrets *tls_secrets_open(const char *lib, const struct event_filter *filter,
				     const struct kernel_events *ke, tls_keys_fn fn, void *ctx)
{
	struct tls_secrets *ts = calloc(1, sizeof(*ts));
	const char *why;

	if (!ts)
		return NULL;
	ts->fn = fn;
	ts->ctx = ctx;
	if (!lib)
		lib = find_libssl();
	if (!lib) {
		fprintf(stderr, "ebpfcap: --tls-secrets: no shared OpenSSL 3 library (libssl.so.3) found\n");
		goto fail;
	}
	why = layout_mismatch(lib);
	if (why) {
		fprintf(stderr, "ebpfcap: --tls-secrets: %s is not usable: %s\n", lib, why);
		goto fail;
	}
	ts->skel = tls_bpf__open();
	if (!ts->skel)
		goto fail_bpf;
	configure(ts->skel, filter, ke);
	if (tls_bpf__load(ts->skel) < 0)
		goto fail_bpf;
	if (attach(ts, lib) < 0)
		goto fail;
	ts->ring = ring_buffer__new(bpf_map__fd(ts->skel->maps.tls_secrets), on_secret, ts, NULL);
	if (!ts->ring)
		goto fail_bpf;
	return ts;
fail_bpf:
	fprintf(stderr, "ebpfcap: --tls-secrets: loading the TLS probes failed: %s\n", strerror(errno));
fail:
	tls_secrets_close(ts);
	return NULL;
}

int tls_secrets_fd(const struct tls_secrets *ts)
{
	return ring_buffer__epoll_fd(ts->ring);
}

int tls_secrets_consume(struct tls_secrets *ts)
{
	return ring_buffer__consume(ts->ring);
}

uint64_t tls_secrets_lost(const struct tls_secrets *ts)
{
	return bpf_sum_percpu(bpf_map__fd(ts->skel->maps.tls_lost), 0);
}

void tls_secrets_close(struct tls_secrets *ts)
{
	if (!ts)
		return;
	ring_buffer__free(ts->ring);
	for (size_t i = 0; i < ts->n_links; i++)
		bpf_link__destroy(ts->links[i]);
	tls_bpf__destroy(ts->skel);
	free(ts);
}

/* ---- connections whose keys never came ---- */

/* The TCP payload of a frame, or NULL. */
static const uint8_t *tcp_payload(int dlt, const uint8_t *data, uint32_t caplen, size_t *len)
{
	struct socket_key key;
	uint32_t l4, header;

	if (!packet_network(dlt, data, caplen, &key, &l4) || key.proto != 6 || l4 == 0 || l4 + 20 > caplen)
		return NULL;
	header = (uint32_t)(data[l4 + 12] >> 4) * 4;
	if (header < 20 || l4 + header > caplen)
		return NULL;
	*len = caplen - l4 - header;
	return data + l4 + header;
}

/*
 * The followed process of an owner comment ("src curl(4242) uid=0 | dst
 * nginx(977) uid=33", each named by owner_label()): the client if named,
 * else the server unless it is only its listening socket's (named whatever
 * the filters say). Its text in *len bytes at the returned place, and its
 * pid; NULL if none.
 */
static const char *followed_owner(const char *comment, size_t *len, uint32_t *pid)
{
	const char *owner = strncmp(comment, "src ", 4) == 0 ? comment : strstr(comment, "dst ");
	const char *end;
	const void *uid, *paren;

	if (!owner)
		return NULL;
	end = strstr(owner, " | ");
	*len = end ? (size_t)(end - owner) : strlen(owner);
	if (*len >= 10 && memcmp(owner + *len - 10, " listening", 10) == 0)
		return NULL;
	/* "comm(pid) uid=...": the last '(' before the uid, a name may hold one too ("(sd-pam)") */
	uid = memmem(owner, *len, " uid=", 5);
	paren = memrchr(owner, '(', uid ? (size_t)((const char *)uid - owner) : *len);
	*pid = paren ? (uint32_t)strtoul((const char *)paren + 1, NULL, 10) : 0;
	return owner + 4;
}

static bool said_before(struct tls_secrets *ts, uint32_t pid)
{
	for (unsigned i = 0; i < GAPS_SAID && i < ts->n_gaps_said; i++)
		if (ts->gaps_said[i] == pid)
			return true;
	ts->gaps_said[ts->n_gaps_said++ % GAPS_SAID] = pid;
	return false;
}

bool tls_secrets_check_packet(struct tls_secrets *ts, int dlt, const uint8_t *data, uint32_t caplen,
			      char *comment, size_t size)
{
	uint8_t random[TLS_RANDOM_LEN];
	const uint8_t *payload;
	const char *owner = NULL;
	size_t len, owner_len = 0, used = strlen(comment);
	uint32_t pid = 0;

	/* Only a followed process's connection: the filters leave the others out on purpose. */
	if (!(payload = tcp_payload(dlt, data, caplen, &len)) || !tls_client_hello_random(payload, len, random) ||
	    have_keys(ts, random) || !(owner = followed_owner(comment, &owner_len, &pid)))
		return false;
	if (pid && !said_before(ts, pid))
		fprintf(stderr, "ebpfcap: --tls-secrets: no TLS keys for a connection of %.*s when its packets were "
			"written: it does not use the shared OpenSSL 3 library probed (statically linked, another TLS "
			"library, a container's own libssl), or it ran its handshake inside SSL_read/SSL_write (its keys "
			"come when it ends, for --tls-keylog); it stays encrypted in this capture\n",
			(int)(owner_len - 4), owner);
	snprintf(comment + used, size - used, " | TLS: no keys");
	return true;
}
