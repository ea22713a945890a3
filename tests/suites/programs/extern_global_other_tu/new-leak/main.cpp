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
#include "settings.h"

int stage(const char *name)
{
    Buffer *buf = new Buffer(name);
    buf->len = 0;
    if (release_buffers)
        delete buf;
    return 0;  // expect: resource-leak in stage
}

int main(void)
{
    return stage("/dev/null");
}
