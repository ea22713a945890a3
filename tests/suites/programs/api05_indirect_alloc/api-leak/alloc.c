#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

struct lib_allocator lib_allocator = {malloc, free};
void (*buffer_free_fn)(void *ptr) = free;

void lib_init(void)
{
    lib_allocator.gmalloc = malloc;
    lib_allocator.gfree = free;
    buffer_free_fn = free;
}
