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

static Buffer *finish(Buffer *r)
{
    delete r;
    return r;
}

static Buffer *check(Buffer *r)
{
    r->len = 0;
    return r;
}

int cycle(const char *name)
{
    Buffer *r = new Buffer(name);
    r = check(r);
    return 0;  // expect: resource-leak in cycle
}

int main(void)
{
    return cycle("/dev/null");
}
