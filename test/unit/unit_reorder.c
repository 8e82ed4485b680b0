/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reorder window: time order out, nothing before its window, a full queue lets go early. */
#include <stdlib.h>

#include "unit.h"
#include "extcap/reorder.h"

#define MS 1000000ull

static void test_time_order(void)
{
	struct reorder *q = reorder_new(10 * MS, 1 << 20);
	uint64_t ts[] = { 50, 20, 40, 20, 10, 30 };
	uint64_t last = 0, seq_at_20 = 0;
	struct reorder_item *it;
	int n = 0;

	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++)
		CHECK_EQ(reorder_push(q, REORDER_PACKET, ts[i] * MS, &i, sizeof(i), sizeof(i)), 0);
	CHECK(reorder_pop(q, 15 * MS, false) == NULL);      /* 10 ms is due at 20 ms */
	CHECK_EQ(reorder_wait_ms(q, 15 * MS), 5);
	while ((it = reorder_pop(q, 100 * MS, false))) {
		CHECK(it->ts_ns >= last);
		if (it->ts_ns == 20 * MS) {                  /* equal times leave in arrival order */
			CHECK(seq_at_20 == 0 || it->seq > seq_at_20);
			seq_at_20 = it->seq;
		}
		last = it->ts_ns;
		free(it);
		n++;
	}
	CHECK_EQ(n, 6);
	CHECK_EQ(reorder_wait_ms(q, 0), -1);
	CHECK_EQ(reorder_early(q), 0);
	reorder_free(q);
}

static void test_bounded(void)
{
	struct reorder *q = reorder_new(1000 * MS, 100);
	char block[60] = { 0 };
	struct reorder_item *it;

	CHECK_EQ(reorder_push(q, REORDER_RECORD, 1 * MS, block, sizeof(block), sizeof(block)), 0);
	CHECK(reorder_pop(q, 2 * MS, false) == NULL);
	CHECK_EQ(reorder_push(q, REORDER_RECORD, 2 * MS, block, sizeof(block), sizeof(block)), 0);
	it = reorder_pop(q, 3 * MS, false);                  /* 120 bytes held of 100: the oldest goes */
	CHECK(it && it->ts_ns == 1 * MS && it->kind == REORDER_RECORD);
	free(it);
	CHECK_EQ(reorder_early(q), 1);
	it = reorder_pop(q, 3 * MS, true);                   /* draining at the end */
	CHECK(it != NULL);
	free(it);
	reorder_free(q);
}

int main(void)
{
	test_time_order();
	test_bounded();
	return unit_report("unit_reorder");
}
