/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fixed-size hash table with chaining and an LRU list, all in index
 * arithmetic over one array: no allocation after creation, so a flood of
 * new flows costs evictions, never memory.
 */
#include "utils/attrib/flow_table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utils/keyhash.h"

#define NONE UINT32_MAX

struct entry {
	struct socket_key key;
	struct flow_owner owner;
	uint32_t chain;          /* next entry in the same bucket */
	uint32_t newer, older;   /* LRU neighbours */
};

struct flow_table {
	struct entry *entries;
	uint32_t *buckets;       /* first entry of each bucket, or NONE */
	uint32_t bucket_mask;
	uint32_t capacity, used;
	uint32_t newest, oldest;
	uint64_t evictions;
};

struct flow_table *flow_table_new(uint32_t capacity)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	uint32_t nbuckets = 1;

	if (!t || capacity == 0) {
		free(t);
		return NULL;
	}
	while (nbuckets < capacity && nbuckets < (1u << 31))
		nbuckets <<= 1;
	t->entries = calloc(capacity, sizeof(*t->entries));
	t->buckets = malloc(nbuckets * sizeof(*t->buckets));
	if (!t->entries || !t->buckets) {
		flow_table_free(t);
		return NULL;
	}
	memset(t->buckets, 0xff, nbuckets * sizeof(*t->buckets));
	t->bucket_mask = nbuckets - 1;
	t->capacity = capacity;
	t->newest = t->oldest = NONE;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	free(t->entries);
	free(t->buckets);
	free(t);
}

static uint32_t *bucket_of(struct flow_table *t, const struct socket_key *key)
{
	return &t->buckets[keyhash_bytes(key, sizeof(*key)) & t->bucket_mask];
}

static void lru_unlink(struct flow_table *t, uint32_t i)
{
	struct entry *e = &t->entries[i];

	if (e->newer != NONE)
		t->entries[e->newer].older = e->older;
	else
		t->newest = e->older;
	if (e->older != NONE)
		t->entries[e->older].newer = e->newer;
	else
		t->oldest = e->newer;
}

static void lru_push_newest(struct flow_table *t, uint32_t i)
{
	struct entry *e = &t->entries[i];

	e->newer = NONE;
	e->older = t->newest;
	if (t->newest != NONE)
		t->entries[t->newest].newer = i;
	t->newest = i;
	if (t->oldest == NONE)
		t->oldest = i;
}

/* The index of key's entry, or NONE; the full key decides, not the hash. */
static uint32_t find(struct flow_table *t, const struct socket_key *key)
{
	for (uint32_t i = *bucket_of(t, key); i != NONE; i = t->entries[i].chain)
		if (socket_key_equal(&t->entries[i].key, key))
			return i;
	return NONE;
}

static void chain_remove(struct flow_table *t, uint32_t i)
{
	uint32_t *link = bucket_of(t, &t->entries[i].key);

	while (*link != i)
		link = &t->entries[*link].chain;
	*link = t->entries[i].chain;
}

/* A free slot: unused until the table fills, then the least recently used. */
static uint32_t take_slot(struct flow_table *t)
{
	uint32_t i;

	if (t->used < t->capacity)
		return t->used++;
	i = t->oldest;
	lru_unlink(t, i);
	chain_remove(t, i);
	t->evictions++;
	return i;
}

void flow_table_put(struct flow_table *t, const struct socket_key *key, const struct flow_owner *owner)
{
	uint32_t i = find(t, key);
	uint32_t *bucket;

	if (i != NONE) {
		lru_unlink(t, i);
	} else {
		i = take_slot(t);
		t->entries[i].key = *key;
		bucket = bucket_of(t, key);
		t->entries[i].chain = *bucket;
		*bucket = i;
	}
	t->entries[i].owner = *owner;
	lru_push_newest(t, i);
}

const struct flow_owner *flow_table_get(struct flow_table *t, const struct socket_key *key)
{
	uint32_t i = find(t, key);

	if (i == NONE)
		return NULL;
	lru_unlink(t, i);
	lru_push_newest(t, i);
	return &t->entries[i].owner;
}

uint32_t flow_table_size(const struct flow_table *t)
{
	return t->used;
}

uint64_t flow_table_evictions(const struct flow_table *t)
{
	return t->evictions;
}
