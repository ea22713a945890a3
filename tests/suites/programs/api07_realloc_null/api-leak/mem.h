#ifndef MEM_H
#define MEM_H
#include <stddef.h>

void *my_realloc(void *ptr, size_t size);
#endif
