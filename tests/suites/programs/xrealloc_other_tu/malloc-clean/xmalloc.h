#ifndef XMALLOC_H
#define XMALLOC_H
#include <stddef.h>

void fatalx(const char *msg);
void *xrealloc(void *ptr, size_t size);
#endif
