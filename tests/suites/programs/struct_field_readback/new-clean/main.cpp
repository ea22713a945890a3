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

struct holder {
    Buffer *res;
    int id;
};

int hold(const char *name)
{
    struct holder h;
    Buffer *r = new Buffer(name);
    h.id = 1;
    h.res = r;
    h.res->len = 0;
    delete h.res;
    return h.id;
}

int main(void)
{
    return hold("/dev/null") != 1;
}
