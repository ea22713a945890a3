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

static int create_handle(const char *name, Buffer **out)
{
    Buffer *h;
    if (name[0] == '\0')
        return -1;
    h = new Buffer(name);
    *out = h;
    return 0;
}

int run_query(const char *name)
{
    Buffer *handle;
    if (create_handle(name, &handle) != 0)
        return -1;
    handle->len = 0;
    delete handle;
    return 0;
}

int main(void)
{
    return run_query("/dev/null") + run_query("") != -1;
}
