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

static void dispose(Buffer **arg)
{
    delete *arg;
    *arg = nullptr;
}

static void inspect(Buffer **arg)
{
    (*arg)->len = 0;
}

int work(const char *name)
{
    Buffer *data = new Buffer(name);
    inspect(&data);
    return 0;  // expect: resource-leak in work
}

int main(void)
{
    return work("/dev/null");
}
