/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/enrich/json.h"

#include <string.h>

#define MAX_DEPTH 32

struct cursor {
	const char *p, *end;
	int depth;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int hex(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	     : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Appends a code point as UTF-8 if it fits. */
static size_t put_utf8(char *out, size_t room, unsigned cp)
{
	char b[3];
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;

	if (n == 1) {
		b[0] = (char)cp;
	} else if (n == 2) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
	} else {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
	}
	if (n > room)
		return 0;
	memcpy(out, b, n);
	return n;
}

/* Reads a string at c->p (at its opening quote); out may be NULL to skip it. */
static bool read_string(struct cursor *c, char *out, size_t out_size)
{
	size_t n = 0;

	if (c->p >= c->end || *c->p != '"')
		return false;
	for (c->p++; c->p < c->end; c->p++) {
		char ch = *c->p;
		unsigned cp;

		if (ch == '"') {
			c->p++;
			if (out)
				out[n] = '\0';
			return true;
		}
		if ((unsigned char)ch < 0x20)
			return false;
		cp = (unsigned char)ch;
		if (ch == '\\') {
			if (++c->p >= c->end)
				return false;
			switch (*c->p) {
			case 'n': cp = '\n'; break;
			case 't': cp = '\t'; break;
			case 'r': cp = '\r'; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case '"': case '\\': case '/': cp = (unsigned char)*c->p; break;
			case 'u':
				if (c->end - c->p < 5)
					return false;
				cp = 0;
				for (int i = 1; i <= 4; i++) {
					int h = hex(c->p[i]);

					if (h < 0)
						return false;
					cp = cp << 4 | (unsigned)h;
				}
				c->p += 4;
				break;
			default:
				return false;
			}
		}
		if (!out)
			continue;
		/* Too long: truncated, still NUL-terminated. */
		if (ch == '\\' && cp >= 0x80)
			n += put_utf8(out + n, out_size - 1 - n, cp);
		else if (n + 1 < out_size)
			out[n++] = (char)cp;
	}
	return false;
}

static bool skip_value(struct cursor *c);

/* Skips an object or array; both are sequences of (key:)value separated by commas. */
static bool skip_container(struct cursor *c, char open, char close)
{
	if (++c->depth > MAX_DEPTH)
		return false;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	while (c->p < c->end) {
		if (open == '{') {
			if (!read_string(c, NULL, 0))
				return false;
			skip_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return false;
		}
		if (!skip_value(c))
			return false;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			skip_ws(c);
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			c->depth--;
			return true;
		}
		return false;
	}
	return false;
}

static bool skip_value(struct cursor *c)
{
	skip_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '"': return read_string(c, NULL, 0);
	case '{': return skip_container(c, '{', '}');
	case '[': return skip_container(c, '[', ']');
	default:
		/* number, true, false, null: up to the next delimiter */
		while (c->p < c->end && !strchr(",}] \t\r\n", *c->p))
			c->p++;
		return true;
	}
}

/* Walks the object at c->p looking for keys[0]; recurses into matching objects. */
static bool find(struct cursor *c, const char *const *keys, size_t n_keys, char *out, size_t out_size)
{
	char key[256];

	skip_ws(c);
	if (c->p >= c->end || *c->p != '{' || ++c->depth > MAX_DEPTH)
		return false;
	c->p++;
	for (;;) {
		skip_ws(c);
		if (c->p >= c->end || *c->p == '}' || !read_string(c, key, sizeof(key)))
			return false;
		skip_ws(c);
		if (c->p >= c->end || *c->p++ != ':')
			return false;
		skip_ws(c);
		if (strcmp(key, keys[0]) == 0) {
			if (n_keys == 1)
				return c->p < c->end && *c->p == '"' && read_string(c, out, out_size);
			return find(c, keys + 1, n_keys - 1, out, out_size);
		}
		if (!skip_value(c))
			return false;
		skip_ws(c);
		if (c->p >= c->end || *c->p++ != ',')
			return false;
	}
}

bool json_get_string(const char *json, size_t len, const char *const *keys, size_t n_keys,
		     char *out, size_t out_size)
{
	struct cursor c = { json, json + len, 0 };

	if (n_keys == 0 || out_size == 0)
		return false;
	out[0] = '\0';
	return find(&c, keys, n_keys, out, out_size);
}
