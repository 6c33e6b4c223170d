/* A bump allocator for the memory of one training step: every activation,
 * gradient and graph node of a step comes from here, and rd_arena_reset()
 * makes it all reusable for the next step. After the first step the arena is
 * one block big enough for a whole step, so the loop does not call malloc. */
#ifndef RDROP_ARENA_H
#define RDROP_ARENA_H
#include <stddef.h>

typedef struct rd_arena_block rd_arena_block;

typedef struct {
    rd_arena_block *head;   /* current block; older ones chained behind it */
    size_t used_total;      /* bytes handed out since the last reset */
    size_t capacity;        /* bytes owned, all blocks */
    size_t high_water;      /* most bytes one step has needed */
    size_t n_mallocs;       /* blocks allocated in the arena's lifetime */
} rd_arena;

void rd_arena_init(rd_arena *a, size_t initial_bytes);
/* 64-byte aligned, uninitialised. Never returns NULL (exits on OOM). */
void *rd_arena_alloc(rd_arena *a, size_t bytes);
void *rd_arena_calloc(rd_arena *a, size_t bytes);
/* Forget everything allocated; when the step needed more than one block,
 * replace them with a single block of the high-water size. */
void rd_arena_reset(rd_arena *a);
void rd_arena_free(rd_arena *a);

#endif
