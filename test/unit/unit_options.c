/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The option table (extcap/options.c): sound rows, parsing and its
 * messages' limits, --extcap-config's arg lines, and docs/ebpfcap.1 saying
 * the same: every option documented under its --help section with its
 * default and range, and every option the page names a real one.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>

#include "unit.h"
#include "extcap/options.h"
#include "bpf/ebpf_record.h"

#define MAN_PAGE "docs/ebpfcap.1"
#define MAX_LINES 4096

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	unit_checks++;
	unit_failures++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int parse(struct options *o, ...)
{
	char *argv[32] = { "ebpfcap" };
	int argc = 1;
	va_list ap;

	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	optind = 0; /* glibc: start over */
	return options_parse(argc, argv, o);
}

static void test_rows(void)
{
	for (size_t i = 0; i < option_count; i++) {
		const struct option_spec *s = &option_table[i];

		CHECK(s->name || s->letter);
		CHECK(s->set != NULL);
		CHECK(!s->help || s->has_arg == no_argument || s->metavar);
		CHECK(!s->max || s->wants);
		CHECK(!s->arg_may_follow || s->has_arg == optional_argument);
		if (s->extcap.on) {
			CHECK(s->name && s->extcap.display && s->extcap.group && s->extcap.tooltip);
			CHECK(!s->extcap.file || s->has_arg == required_argument);
		}
		for (size_t j = 0; j < i; j++) {
			if (s->name && option_table[j].name && strcmp(s->name, option_table[j].name) == 0)
				fail("--%s is in the table twice", s->name);
			if (s->letter && s->letter == option_table[j].letter)
				fail("-%c is in the table twice", s->letter);
		}
	}
}

static void test_parse(void)
{
	struct options o;

	CHECK_EQ(parse(&o, NULL), 0);
	CHECK_EQ(o.mode, MODE_CAPTURE);
	CHECK_STR(o.interface, IFACE_EVENTS);
	CHECK_EQ(o.ringbuf_kib, options_find("ringbuf-size")->def);
	CHECK_EQ(o.udp_interval_ms, 1000);
	CHECK_EQ(o.reorder_window_ms, 10);
	CHECK_EQ(o.flow_table_size, 65536);
	CHECK_EQ(o.event_type_mask, 0xffffffffu);

	CHECK_EQ(parse(&o, "--pid", "42", "-c", "3", "--port=80", "--family", "6", "-n", "--json",
		       "--event-types", "TCP_Connect,TCP_Close", "-i", "lo", "tcp", "port", "80", NULL), 0);
	CHECK_EQ(o.pid, 42);
	CHECK_EQ(o.max_events, 3);
	CHECK_EQ(o.port, 80);
	CHECK_EQ(o.family, 10);
	CHECK(o.print.numeric && o.print.json && !o.print.verbose);
	CHECK_EQ(o.event_type_mask, (1u << EBPF_TCP_CONNECT) | (1u << EBPF_TCP_CLOSE));
	CHECK_STR(o.interface, "lo");
	CHECK_STR(o.capture_filter, "tcp port 80");
	free((char *)o.capture_filter); /* the process's own keeps it to the end */

	/* --extcap-interface and -i, --fifo and -w: one row each. */
	CHECK_EQ(parse(&o, "--extcap-interface", "ebpfevents", "--capture", "--fifo", "/tmp/f", NULL), 0);
	CHECK(o.from_wireshark && o.mode == MODE_CAPTURE);
	CHECK_STR(o.fifo, "/tmp/f");

	CHECK_EQ(parse(&o, "--export", NULL), 0);
	CHECK_STR(o.export_endpoint, options_find("remote-endpoints")->extcap.default_value);
	CHECK_EQ(parse(&o, "--export", "tcp://127.0.0.1:5556", "--insecure", NULL), 0);
	CHECK_STR(o.export_endpoint, "tcp://127.0.0.1:5556");

	CHECK_EQ(parse(&o, "-w", "/tmp/f", "--tls-secrets", NULL), 0);
	CHECK_EQ(o.reorder_window_ms, 500);
	CHECK_EQ(parse(&o, "-w", "/tmp/f", "--tls-secrets", "--reorder-window", "0", NULL), 0);
	CHECK_EQ(o.reorder_window_ms, 0);

	/* Numbers: the table's limits, inclusive, and nothing past them. */
	for (size_t i = 0; i < option_count; i++) {
		const struct option_spec *s = &option_table[i];
		char flag[40], lo[24], hi[24], below[24], above[24];

		if (!s->max || !s->name)
			continue;
		snprintf(flag, sizeof(flag), "--%s", s->name);
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)s->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)s->max);
		snprintf(below, sizeof(below), "%llu", (unsigned long long)s->min - 1);
		snprintf(above, sizeof(above), "%llu", (unsigned long long)s->max + 1);
		CHECK_EQ(parse(&o, flag, lo, NULL), 0);
		CHECK_EQ(parse(&o, flag, hi, NULL), 0);
		if (s->min > 0)
			CHECK_EQ(parse(&o, flag, below, NULL), -1);
		CHECK_EQ(parse(&o, flag, above, NULL), -1);
		CHECK_EQ(parse(&o, flag, "12x", NULL), -1);
	}
	CHECK_EQ(parse(&o, "-c", "0", NULL), -1);
	CHECK_EQ(parse(&o, "--comm", "", NULL), -1);
	CHECK_EQ(parse(&o, "--comm", "sixteen_chars_xx", NULL), -1);
	CHECK_EQ(parse(&o, "--family", "5", NULL), -1);
	CHECK_EQ(parse(&o, "--event-types", "TCP_Bogus", NULL), -1);
	CHECK_EQ(parse(&o, "--frobnicate", NULL), -1);
	CHECK_EQ(parse(&o, "--pid", NULL), -1);
}

/* One interface kind's arg lines: numbered 0, 1, ... in order, each call once, nothing left unexpanded. */
static int check_args(enum iface_kind kind, const char *first_groups)
{
	char *text = NULL, *save = NULL, groups[256] = "";
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	unsigned expected = 0;

	options_print_extcap_args(f, kind);
	fclose(f);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned number;
		char call[64], group[64];
		const struct option_spec *s;

		CHECK(sscanf(line, "arg {number=%u}{call=--%63[a-z-]}", &number, call) == 2);
		CHECK_EQ(number, expected++);
		s = options_find(call);
		CHECK(s && (s->extcap.on & kind));
		CHECK(strstr(line, "{default}") == NULL && strstr(line, "{range}") == NULL);
		CHECK(sscanf(strstr(line, "{group=") ? strstr(line, "{group=") : "", "{group=%63[^}]}", group) == 1);
		if (!strstr(groups, group) && strlen(groups) + strlen(group) + 2 < sizeof(groups)) {
			strcat(groups, group);
			strcat(groups, ",");
		}
	}
	/* The dialog's tabs, in the order of their first arg. */
	CHECK_STR(groups, first_groups);
	free(text);
	return (int)expected;
}

static void test_extcap_args(void)
{
	unsigned offered[3] = { 0 };

	for (size_t i = 0; i < option_count; i++)
		for (int k = 0; k < 3; k++)
			offered[k] += !!(option_table[i].extcap.on & (1u << k));
	CHECK_EQ(check_args(IFACE_KIND_EVENTS, "Filter,Advanced,"), offered[0]);
	CHECK_EQ(check_args(IFACE_KIND_PACKETS, "Filter,Advanced,Packets,TLS,"), offered[1]);
	CHECK_EQ(check_args(IFACE_KIND_REMOTE, "Connection,Security,Filter,Advanced,"), offered[2]);
}

/* ---- docs/ebpfcap.1 ---- */

struct man {
	char *lines[MAX_LINES]; /* "\-" as "-", font changes gone */
	int n;
};

static bool read_man(struct man *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[1024];

	if (!f)
		return false;
	m->n = 0;
	while (m->n < MAX_LINES && fgets(buf, sizeof(buf), f)) {
		char *out = strdup(buf), *w = out;

		for (const char *r = buf; *r; r++) {
			if (r[0] == '\\' && r[1] == '-') {
				*w++ = '-';
				r++;
			} else if (r[0] == '\\' && r[1] == 'f' && r[2]) {
				r += 2;
			} else if (*r != '\n') {
				*w++ = *r;
			}
		}
		*w = '\0';
		m->lines[m->n++] = out;
	}
	fclose(f);
	return true;
}

/*
 * The next option named in s from *pos: "--name" or "-l", standing alone
 * (not inside a word or a longer option). Copies it to out; false at the end.
 */
static bool next_option(const char *s, size_t *pos, char *out, size_t outlen)
{
	for (size_t i = *pos; s[i]; i++) {
		size_t len;

		if (s[i] != '-' || (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '-')))
			continue;
		if (s[i + 1] == '-' && islower((unsigned char)s[i + 2])) {
			len = 2;
			while (islower((unsigned char)s[i + len]) || s[i + len] == '-')
				len++;
			while (s[i + len - 1] == '-')
				len--;
		} else if (isalpha((unsigned char)s[i + 1]) && !isalnum((unsigned char)s[i + 2]) && s[i + 2] != '-') {
			len = 2;
		} else {
			continue;
		}
		snprintf(out, outlen, "%.*s", (int)len, s + i);
		*pos = i + len;
		return true;
	}
	return false;
}

static bool names(const char *s, const struct option_spec *spec)
{
	char opt[64];
	size_t pos = 0;

	while (next_option(s, &pos, opt, sizeof(opt)))
		if ((opt[1] == '-' && spec->name && strcmp(opt + 2, spec->name) == 0) ||
		    (opt[1] != '-' && spec->letter == opt[1]))
			return true;
	return false;
}

/* "-i, --extcap-interface", "--pid", "-c": as --help heads a row. */
static const char *spell(const struct option_spec *s)
{
	static char buf[80];

	if (s->letter && s->name)
		snprintf(buf, sizeof(buf), "-%c, --%s", s->letter, s->name);
	else if (s->letter)
		snprintf(buf, sizeof(buf), "-%c", s->letter);
	else
		snprintf(buf, sizeof(buf), "--%s", s->name);
	return buf;
}

static bool starts(const char *line, const char *macro)
{
	return strncmp(line, macro, strlen(macro)) == 0 && (line[strlen(macro)] == ' ' || !line[strlen(macro)]);
}

/* Where the page's .TP entry for spec under OPTIONS is, and its text (tag and body on one line). */
static bool find_entry(const struct man *m, const struct option_spec *spec, char *subsection, size_t sublen,
		       char *entry, size_t entrylen)
{
	bool in_options = false;
	const char *ss = "";

	for (int i = 0; i < m->n; i++) {
		const char *l = m->lines[i];

		if (starts(l, ".SH"))
			in_options = strcmp(l, ".SH OPTIONS") == 0;
		else if (starts(l, ".SS"))
			ss = l + 4;
		if (!in_options || !starts(l, ".TP") || i + 1 >= m->n || !names(m->lines[i + 1], spec))
			continue;
		snprintf(subsection, sublen, "%s", ss);
		entry[0] = '\0';
		for (int j = i + 1; j < m->n && (j == i + 1 || !(starts(m->lines[j], ".TP") ||
				starts(m->lines[j], ".SS") || starts(m->lines[j], ".SH") || starts(m->lines[j], ".PP"))); j++) {
			strncat(entry, m->lines[j], entrylen - strlen(entry) - 2);
			strcat(entry, " ");
		}
		return true;
	}
	return false;
}

static void test_man_page(void)
{
	const char *path = getenv("EBPFCAP_MAN") ? getenv("EBPFCAP_MAN") : MAN_PAGE;
	static struct man m;
	static char entry[8192];
	bool in_options = false;

	if (!read_man(&m, path)) {
		fail("cannot read %s (run from the source tree)", path);
		return;
	}
	/* Table to page: each option named, and each --help one described in its own section. */
	for (size_t i = 0; i < option_count; i++) {
		const struct option_spec *s = &option_table[i];
		const char *want = help_section_titles[s->section];
		char subsection[128], text[64];
		bool named = false;

		for (int l = 0; l < m.n && !named; l++)
			named = names(m.lines[l], s);
		if (!named)
			fail("%s does not name %s", path, spell(s));
		if (!s->help)
			continue;
		if (!find_entry(&m, s, subsection, sizeof(subsection), entry, sizeof(entry))) {
			fail("%s has no .TP entry for %s (under \"%s\")", path, spell(s), want);
			continue;
		}
		if (strcmp(subsection, want) != 0)
			fail("%s describes %s under \"%s\", --help under \"%s\"", path, spell(s), subsection, want);
		if (s->max && s->def) {
			snprintf(text, sizeof(text), "default %llu", (unsigned long long)s->def);
			if (!strstr(entry, text))
				fail("%s: %s does not say \"%s\"", path, spell(s), text);
		}
		if (s->wants && strstr(s->wants, "{range}")) {
			snprintf(text, sizeof(text), "%llu to %llu", (unsigned long long)s->min, (unsigned long long)s->max);
			if (!strstr(entry, text))
				fail("%s: %s does not say \"%s\"", path, spell(s), text);
		}
	}
	/* Page to table: every --name anywhere, every letter an OPTIONS entry is headed by. */
	for (int l = 0; l < m.n; l++) {
		bool tag = in_options && l > 0 && starts(m.lines[l - 1], ".TP");
		char opt[64];
		size_t pos = 0;

		if (starts(m.lines[l], ".SH"))
			in_options = strcmp(m.lines[l], ".SH OPTIONS") == 0;
		while (next_option(m.lines[l], &pos, opt, sizeof(opt))) {
			bool known = false;

			if (opt[1] == '-')
				known = options_find(opt + 2) != NULL;
			else if (!tag)
				continue;
			for (size_t i = 0; i < option_count && !known; i++)
				known = option_table[i].letter == opt[1];
			if (!known)
				fail("%s:%d names %s, which ebpfcap does not have", path, l + 1, opt);
		}
	}
}

int main(void)
{
	test_rows();
	test_parse();
	test_extcap_args();
	test_man_page();
	return unit_report("unit_options");
}
