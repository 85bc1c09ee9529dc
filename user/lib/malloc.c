/* A small first-fit allocator over a fixed heap, for components (no kernel involvement). */
#include "atoll.h"

#define HEAP_SIZE (512u << 10)
#define ALIGN 16

/* A header; its size is a multiple of ALIGN, so every block it precedes is aligned. */
struct block {
	size_t size;		/* bytes after this header, a multiple of ALIGN */
	struct block *next;	/* next free block, by address */
} __attribute__((aligned(ALIGN)));

static uint8_t heap[HEAP_SIZE] __attribute__((aligned(ALIGN)));
static struct block *free_list;
static bool ready;

static void init(void)
{
	free_list = (struct block *)heap;
	free_list->size = HEAP_SIZE - sizeof(struct block);
	free_list->next = NULL;
	ready = true;
}

void *malloc(size_t n)
{
	if (!ready)
		init();
	if (!n || n > HEAP_SIZE)
		return NULL;
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (struct block **at = &free_list; *at; at = &(*at)->next) {
		struct block *b = *at;
		if (b->size < n)
			continue;
		if (b->size >= n + sizeof(struct block) + ALIGN) {
			/* Split: the tail stays free. */
			struct block *rest = (struct block *)((uint8_t *)(b + 1) + n);
			rest->size = b->size - n - sizeof(struct block);
			rest->next = b->next;
			b->size = n;
			*at = rest;
		} else {
			*at = b->next;
		}
		b->next = NULL;
		return b + 1;
	}
	return NULL;
}

void free(void *p)
{
	if (!p)
		return;
	struct block *b = (struct block *)p - 1, **at = &free_list;

	while (*at && *at < b)
		at = &(*at)->next;
	b->next = *at;
	*at = b;
	/* Merge with the next block, then with the previous one, so the heap does not fragment. */
	if (b->next && (uint8_t *)(b + 1) + b->size == (uint8_t *)b->next) {
		b->size += sizeof(struct block) + b->next->size;
		b->next = b->next->next;
	}
	if (at != &free_list) {
		struct block *prev = (struct block *)((uint8_t *)at - offsetof(struct block, next));
		if ((uint8_t *)(prev + 1) + prev->size == (uint8_t *)b) {
			prev->size += sizeof(struct block) + b->size;
			prev->next = b->next;
		}
	}
}
