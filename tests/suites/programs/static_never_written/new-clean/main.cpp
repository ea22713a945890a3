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

static int keep_snapshots = 0;
static int snapshots_taken;

int snapshot(const char *name)
{
    Buffer *snap = new Buffer(name);
    snap->len = 0;
    snapshots_taken++;
    if (!keep_snapshots)
        delete snap;
    return snapshots_taken;
}

int keeps_snapshots(void)
{
    return keep_snapshots;
}

int main(void)
{
    return snapshot("/dev/null") + keeps_snapshots() > 3;
}
