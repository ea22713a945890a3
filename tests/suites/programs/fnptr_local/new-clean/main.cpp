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

static void drop(Buffer *r)
{
    delete r;
}

int serve_once(const char *name)
{
    void (*done)(Buffer *) = drop;
    Buffer *r = new Buffer(name);
    r->len = 0;
    done(r);
    return 0;
}

int main(void)
{
    return serve_once("/dev/null");
}
