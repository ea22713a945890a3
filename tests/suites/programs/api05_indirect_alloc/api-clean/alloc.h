#ifndef ALLOC_H
#define ALLOC_H
#include <stddef.h>

struct lib_allocator {
    void *(*gmalloc)(size_t size);
    void (*gfree)(void *ptr);
};
extern struct lib_allocator lib_allocator;
extern void (*buffer_free_fn)(void *ptr);
void lib_init(void);

#define lib_malloc(n) (lib_allocator.gmalloc(n))
#define lib_free(p) (lib_allocator.gfree(p))
#endif
