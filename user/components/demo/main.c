/*
 * The demo component: does with each channel of its description what the
 * channel is for, and proves that it holds nothing else.
 *   from-side endpoint: three calls, each answered with the word plus one, then "bye";
 *   writable shared region: a greeting, for the other side to read;
 *   from-side notification: one signal (after the greeting is written);
 *   to-side notification: waits for a signal, then prints what readable shared regions hold;
 *   to-side endpoint: answers calls until "bye".
 * Then it invokes every slot of its CNode that the description did not fill: each must fail.
 */
#include "component.h"

#define LABEL_WORK 1
#define LABEL_BYE 2

static const struct component_info *me;
static unsigned failures;

static void call_server(const struct component_cap_info *c)
{
	for (uint64_t w = 41; w < 44; w++) {
		struct msg m = ipc_call(c->slot, LABEL_WORK, 1, w, 0);
		if (m.err || m.mr[0] != w + 1) {
			printf("%s: %s: call with %llu: error %s, reply %llu\n", me->name, c->name,
			       (unsigned long long)w, err_str(m.err), (unsigned long long)m.mr[0]);
			failures++;
		}
	}
	struct msg m = ipc_call(c->slot, LABEL_BYE, 0, 0, 0);
	printf("%s: %s: 3 calls answered%s\n", me->name, c->name, m.err ? ", bye failed" : "");
	failures += m.err != 0;
}

static void serve(const struct component_cap_info *c)
{
	unsigned served = 0;
	struct msg m = ipc_recv(c->slot);

	while (!m.err && MSGINFO_LABEL(m.info) == LABEL_WORK) {
		served++;
		m = ipc_reply_recv(c->slot, 0, 1, m.mr[0] + 1);
	}
	if (!m.err)	/* answer the bye */
		(void)atoll_ipc(SYS_REPLY, 0, MSGINFO(0, 0), 0, 0, 0, 0);
	printf("%s: %s: served %u calls from badge 0x%llx\n", me->name, c->name, served,
	       (unsigned long long)m.badge);
}

static void wait_signal(const struct component_cap_info *c)
{
	struct msg m = ipc_recv(c->slot);

	printf("%s: %s: signalled, bits 0x%llx%s\n", me->name, c->name, (unsigned long long)m.badge,
	       m.err ? " (error)" : "");
	failures += m.err != 0;
	for (uint32_t i = 0; i < me->ncaps; i++) {
		const struct component_cap_info *s = &me->caps[i];
		if (s->type == OBJ_FRAME_4K && !(s->rights & CAP_WRITE))
			printf("%s: %s reads \"%s\"\n", me->name, s->name,
			       (const char *)(uintptr_t)s->va);
	}
}

int main(const struct component_info *info)
{
	me = info;
	if (info->magic != COMPONENT_INFO_MAGIC)
		return 99;
	printf("%s: running on core %u with %u channels, heap %llu KiB\n", info->name, info->core,
	       info->ncaps, (unsigned long long)(info->heap_size >> 10));
	/* The heap is ours: write it all. */
	for (uint64_t off = 0; off < info->heap_size; off += 4096)
		*(volatile uint64_t *)(uintptr_t)(info->heap_va + off) = off;
	for (uint32_t i = 0; i < info->ncaps; i++) {
		const struct component_cap_info *c = &info->caps[i];
		if (c->type == OBJ_ENDPOINT && c->role == SPEC_ROLE_FROM)
			call_server(c);
		if (c->type == OBJ_FRAME_4K && (c->rights & CAP_WRITE))
			snprintf((char *)(uintptr_t)c->va, (size_t)c->size, "greetings from %s over %s",
				 info->name, c->name);
	}
	for (uint32_t i = 0; i < info->ncaps; i++) {
		const struct component_cap_info *c = &info->caps[i];
		if ((c->type == OBJ_NOTIFICATION || c->type == OBJ_XSIGNAL) && c->role == SPEC_ROLE_FROM) {
			long e = ipc_send(c->slot, 0, 0, 0);
			printf("%s: %s: signal sent%s\n", info->name, c->name, e ? " (error)" : "");
			failures += e != 0;
		}
	}
	for (uint32_t i = 0; i < info->ncaps; i++) {
		const struct component_cap_info *c = &info->caps[i];
		if (c->type == OBJ_NOTIFICATION && c->role == SPEC_ROLE_TO)
			wait_signal(c);
		if (c->type == OBJ_ENDPOINT && c->role == SPEC_ROLE_TO)
			serve(c);
	}
	/* Every slot the description did not fill is empty: no channel is there. */
	unsigned undeclared = 0, usable = 0;
	for (uint64_t slot = 1; slot < (1u << COMPONENT_CNODE_RADIX); slot++) {
		bool declared = false;
		for (uint32_t i = 0; i < info->ncaps; i++)
			declared |= info->caps[i].slot == slot;
		if (declared)
			continue;
		undeclared++;
		long e = ipc_nbsend(slot, 0, 0, 0);
		struct call_result r = atoll_call(slot, INV_CNODE_COPY, 0, 0, 0, 0);
		if (e == E_OK || r.err == E_OK)
			usable++;
	}
	printf("%s: %u undeclared slots, %u usable\n", info->name, undeclared, usable);
	failures += usable;
	return (int)failures;
}
