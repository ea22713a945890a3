#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static int keep_snapshots = 1;
static int snapshots_taken;

int snapshot(const char *name)
{
    int snap = open(name, O_RDONLY);
    if (snap < 0)
        return -1;
    (void)fcntl(snap, F_GETFD);
    snapshots_taken++;
    if (!keep_snapshots)
        close(snap);
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
