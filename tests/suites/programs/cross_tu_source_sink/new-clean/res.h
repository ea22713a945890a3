#ifndef RES_H
#define RES_H
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef BUFFER_DEFINED
#define BUFFER_DEFINED
struct Buffer {
    explicit Buffer(const char *text) : len(strlen(text)) {}
    size_t len;
};
#endif

Buffer *make_res(const char *name);
void consume_res(Buffer *r);
#endif
