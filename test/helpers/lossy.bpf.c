// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: drops about a quarter of the packets leaving an interface,
 * to force TCP retransmissions (this kernel has no netem). Attached by the
 * test to a veth it created, with tc's clsact egress hook.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int lossy_drop(struct __sk_buff *skb)
{
	return bpf_get_prandom_u32() % 4 == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}
