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

static void open_source(const char *name, Buffer *&out)
{
    out = new Buffer(name);
}

int consume(const char *name)
{
    Buffer *data = nullptr;
    open_source(name, data);
    data->len = 0;
    return 0;  // expect: resource-leak in consume
}

int main()
{
    return consume("/dev/null");
}
