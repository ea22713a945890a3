#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct backend_ops {
    FILE * (*acquire)(const char *name);
    void (*release)(FILE *r);
};

static FILE *backend_acquire(const char *name)
{
    return fopen(name, "r");
}

static void backend_release(FILE *r)
{
    fclose(r);
}

static const struct backend_ops backends[] = {
    {backend_acquire, backend_release},
};

int backup(const char *name, int mode)
{
    const struct backend_ops *ops = &backends[mode];
    FILE *r = ops->acquire(name);
    if (r == NULL)
        return -1;
    (void)fgetc(r);
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
