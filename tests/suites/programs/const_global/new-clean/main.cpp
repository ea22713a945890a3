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

extern const int close_after_use;
const int close_after_use = 1;

int probe(const char *name)
{
    Buffer *handle = new Buffer(name);
    handle->len = 0;
    if (close_after_use == 1)
        delete handle;
    return 0;
}

int main(void)
{
    return probe("/dev/null");
}
