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

static const int cache_disabled = 1;

int fill_cache(const char *name)
{
    Buffer *item = new Buffer(name);
    item->len = 0;
    if (cache_disabled)
        delete item;
    return 0;
}

int main(void)
{
    return fill_cache("/dev/null");
}
