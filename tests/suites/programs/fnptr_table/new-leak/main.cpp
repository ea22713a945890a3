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

struct backend_ops {
    Buffer * (*acquire)(const char *name);
    void (*release)(Buffer *r);
};

static Buffer *backend_acquire(const char *name)
{
    return new Buffer(name);
}

static void backend_release(Buffer *r)
{
    delete r;
}

static const struct backend_ops backends[] = {
    {backend_acquire, backend_release},
};

int backup(const char *name, int mode)
{
    const struct backend_ops *ops = &backends[mode];
    Buffer *r = ops->acquire(name);
    r->len = 0;
    if (name[0] == '/') {
        return 1;  // expect: resource-leak in backup
    }
    ops->release(r);
    return 0;
}

int main(void)
{
    return backup("/dev/null", 0) != 1;
}
