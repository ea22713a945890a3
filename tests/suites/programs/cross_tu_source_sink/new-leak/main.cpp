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
#include "res.h"

int run(const char *name)
{
    Buffer *r = make_res(name);
    consume_res(r);
    return 0;  // expect: resource-leak in run
}

int main(void)
{
    return run("/dev/null");
}
