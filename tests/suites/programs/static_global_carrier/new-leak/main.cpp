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

static Buffer *pending = nullptr;

static void flush_pending(void)
{
    Buffer *r = pending;
    pending = nullptr;
    r->len = 0;
}  // expect: resource-leak in flush_pending

int produce(const char *name)
{
    Buffer *r = new Buffer(name);
    pending = r;
    flush_pending();
    return 0;
}

int main(void)
{
    return produce("/dev/null");
}
