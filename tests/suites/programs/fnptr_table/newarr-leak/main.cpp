#include <cstdio>
#include <cstdlib>
#include <cstring>

struct backend_ops {
    char * (*acquire)(const char *name);
    void (*release)(char *r);
};

static char *backend_acquire(const char *name)
{
    return new char[strlen(name) + 1];
}

static void backend_release(char *r)
{
    delete[] r;
}

static const struct backend_ops backends[] = {
    {backend_acquire, backend_release},
};

int backup(const char *name, int mode)
{
    const struct backend_ops *ops = &backends[mode];
    char *r = ops->acquire(name);
    r[0] = '\0';
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
