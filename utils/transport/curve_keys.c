/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CURVE keys: generated, and read from key files and arguments (curve_keys.h). */
#include "utils/transport/curve_keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define KEY_Z85_LEN 40
#define KEY_FILE_MAX 65536 /* a key file is a few lines; anything larger is refused */

/* zmq_has("curve"), or -1 after one line on stderr. */
static int have_curve(void)
{
	if (zmq_has("curve"))
		return 0;
	fprintf(stderr, "ebpfcap: this libzmq has no CURVE support (built without libsodium): no encryption\n");
	return -1;
}

int zmq_print_new_keys(FILE *out)
{
	char public_key[41], secret[41];

	if (have_curve() < 0)
		return -1;
	if (zmq_curve_keypair(public_key, secret) != 0) {
		fprintf(stderr, "ebpfcap: cannot make a CURVE key pair: %s\n", zmq_strerror(errno));
		return -1;
	}
	fprintf(out, "# ebpfcap CURVE key pair. Keep this file secret (chmod 600);\n"
		"# give the public-key line to the other side. See docs/REMOTE.md.\n"
		"public-key=%s\nsecret-key=%s\n", public_key, secret);
	return fflush(out) == 0 ? 0 : -1;
}

static bool is_z85_key(const char *s)
{
	uint8_t bin[32];

	/* zmq_z85_decode refuses characters outside the Z85 alphabet. */
	return strlen(s) == KEY_Z85_LEN && zmq_z85_decode(bin, s) != NULL;
}

/* One line of a key file: "name=KEY" or a bare KEY; blank and '#' lines are skipped. */
typedef int (*key_line_fn)(const char *name, const char *key, unsigned lineno, void *ctx);

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int bad_key_line(const char *path, unsigned lineno)
{
	fprintf(stderr, "ebpfcap: %s:%u: not a key (want 40 Z85 characters, or public-key=/secret-key=)\n",
		path, lineno);
	return -1;
}

/*
 * Opens a key file, or says in one line why not. Never waits: O_NONBLOCK
 * makes a FIFO's open return at once, and only a small regular file is
 * read (/dev/zero or a FIFO would be read forever).
 */
static FILE *open_key_file(const char *path, bool secret)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	const char *refusal = NULL;
	struct stat st;
	FILE *f;

	if (fd < 0) {
		fprintf(stderr, "ebpfcap: cannot read key file '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		refusal = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		refusal = "not a regular file";
	else if (st.st_size > KEY_FILE_MAX)
		refusal = "larger than a key file can be (64 KiB)";
	else if (secret && (st.st_mode & 077)) /* like ssh: a secret others can read is no longer a secret */
		refusal = "can be read by others (chmod 600 it)";
	if (refusal || !(f = fdopen(fd, "r"))) {
		fprintf(stderr, "ebpfcap: key file '%s': %s\n", path, refusal ? refusal : strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

static int read_key_file(const char *path, bool secret, key_line_fn fn, void *ctx)
{
	FILE *f = open_key_file(path, secret);
	char line[512];
	unsigned lineno = 0;
	int rc = 0;

	if (!f)
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		/* '=' is a Z85 character too: only our two names make a "name=" line. */
		if (eq && (strncmp(s, "public-key=", 11) == 0 || strncmp(s, "secret-key=", 11) == 0)) {
			*eq = '\0';
			rc = fn(s, trim(eq + 1), lineno, ctx);
		} else {
			rc = fn(NULL, s, lineno, ctx);
		}
		if (rc > 0)
			break; /* found what was asked */
	}
	fclose(f);
	return rc < 0 ? -1 : rc;
}

struct one_key {
	const char *want; /* "secret-key" or "public-key" */
	const char *path;
	char *out;
};

static int take_one_key(const char *name, const char *key, unsigned lineno, void *ctx)
{
	struct one_key *k = ctx;

	if (name && strcmp(name, k->want) != 0)
		return 0; /* the other half of a --gen-keys file */
	if (!is_z85_key(key))
		return bad_key_line(k->path, lineno);
	memcpy(k->out, key, 41);
	return 1;
}

int zmq_load_secret_key(const char *path, char secret[41], char public_key[41])
{
	struct one_key k = { "secret-key", path, secret };

	if (have_curve() < 0)
		return -1;
	int rc = read_key_file(path, true, take_one_key, &k);

	if (rc == 0)
		fprintf(stderr, "ebpfcap: no secret-key in '%s' (make one with ebpfcap --gen-keys)\n", path);
	if (rc <= 0)
		return -1;
	if (zmq_curve_public(public_key, secret) != 0) {
		fprintf(stderr, "ebpfcap: '%s': not a CURVE secret key\n", path);
		return -1;
	}
	return 0;
}

int zmq_load_public_key(const char *arg, char public_key[41])
{
	struct one_key k = { "public-key", arg, public_key };

	if (have_curve() < 0)
		return -1;
	if (is_z85_key(arg)) {
		memcpy(public_key, arg, 41);
		return 0;
	}
	if (access(arg, F_OK) != 0 && errno == ENOENT) {
		fprintf(stderr, "ebpfcap: '%s' is neither a 40-character Z85 public key nor a key file\n", arg);
		return -1;
	}
	int rc = read_key_file(arg, false, take_one_key, &k);

	if (rc == 0)
		fprintf(stderr, "ebpfcap: no public-key in '%s'\n", arg);
	return rc > 0 ? 0 : -1;
}

int zmq_curve_client(void *sock, const char *secret_key)
{
	char secret[41], public_key[41];

	if (secret_key ? zmq_load_secret_key(secret_key, secret, public_key) < 0
		       : zmq_curve_keypair(public_key, secret) != 0)
		return -1;
	return zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, public_key, 40) ||
	       zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 40) ? -1 : 0;
}

/* An allow-list being read. */
struct key_list {
	const char *path;
	uint8_t (*keys)[32];
	size_t n, cap;
};

static int add_allowed_key(const char *name, const char *key, unsigned lineno, void *ctx)
{
	struct key_list *l = ctx;

	if (name && strcmp(name, "secret-key") == 0) {
		fprintf(stderr, "ebpfcap: %s:%u: a secret key in an allow-list: list public keys only\n",
			l->path, lineno);
		return -1;
	}
	if ((name && strcmp(name, "public-key") != 0) || !is_z85_key(key))
		return bad_key_line(l->path, lineno);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		void *p = realloc(l->keys, cap * sizeof(*l->keys));

		if (!p)
			return -1;
		l->keys = p;
		l->cap = cap;
	}
	zmq_z85_decode(l->keys[l->n++], key);
	return 0;
}

int zmq_load_allowed_keys(const char *path, uint8_t (**keys)[32], size_t *n_keys)
{
	struct key_list l = { .path = path };

	if (read_key_file(path, false, add_allowed_key, &l) < 0) {
		free(l.keys);
		return -1;
	}
	if (l.n == 0) {
		fprintf(stderr, "ebpfcap: no public key in '%s': nobody could connect\n", path);
		free(l.keys);
		return -1;
	}
	*keys = l.keys;
	*n_keys = l.n;
	return 0;
}
