#include "rdrop/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/error.h"

#define ALIGN 64

struct rd_arena_block {
    rd_arena_block *next;
    size_t size, used;
    unsigned char *mem; /* ALIGN-aligned */
};

static rd_arena_block *block_new(rd_arena *a, size_t size) {
    rd_arena_block *b = rd_malloc(1, sizeof *b);
    b->mem = aligned_alloc(ALIGN, (size + ALIGN - 1) / ALIGN * ALIGN);
    if (!b->mem) rd_die_alloc(1, size, __FILE__, __LINE__);
    b->size = size;
    b->used = 0;
    b->next = NULL;
    a->capacity += size;
    a->n_mallocs++;
    return b;
}

void rd_arena_init(rd_arena *a, size_t initial_bytes) {
    memset(a, 0, sizeof *a);
    a->head = block_new(a, initial_bytes ? initial_bytes : 1 << 20);
}

void *rd_arena_alloc(rd_arena *a, size_t bytes) {
    size_t need = (bytes + ALIGN - 1) / ALIGN * ALIGN;
    if (need < bytes) rd_die_alloc(1, bytes, __FILE__, __LINE__); /* rounding up overflowed */
    rd_arena_block *b = a->head;
    if (b->used + need > b->size) {
        size_t size = b->size * 2 > need ? b->size * 2 : need;
        rd_arena_block *nb = block_new(a, size);
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->mem + b->used;
    b->used += need;
    a->used_total += need;
    if (a->used_total > a->high_water) a->high_water = a->used_total;
    return p;
}

void *rd_arena_calloc(rd_arena *a, size_t bytes) {
    void *p = rd_arena_alloc(a, bytes);
    memset(p, 0, bytes);
    return p;
}

static void free_blocks(rd_arena_block *b) {
    while (b) {
        rd_arena_block *next = b->next;
        free(b->mem);
        free(b);
        b = next;
    }
}

void rd_arena_reset(rd_arena *a) {
    if (a->head->next) {
        size_t size = a->high_water;
        free_blocks(a->head);
        a->capacity = 0;
        a->head = block_new(a, size);
    }
    a->head->used = 0;
    a->used_total = 0;
}

void rd_arena_free(rd_arena *a) {
    free_blocks(a->head);
    memset(a, 0, sizeof *a);
}
