#include <cstdio>
#include <cstdlib>
#include <cstring>

static int keep_snapshots = 1;
static int snapshots_taken;

int snapshot(const char *name)
{
    char *snap = new char[strlen(name) + 1];
    snap[0] = '\0';
    snapshots_taken++;
    if (!keep_snapshots)
        delete[] snap;
    return snapshots_taken;  // expect: resource-leak in snapshot
}

int keeps_snapshots(void)
{
    return keep_snapshots;
}

int main(void)
{
    return snapshot("/dev/null") + keeps_snapshots() > 3;
}
