#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int keep_snapshots = 1;
static int snapshots_taken;

int snapshot(const char *name)
{
    FILE *snap = fopen(name, "r");
    if (snap == NULL)
        return -1;
    (void)fgetc(snap);
    snapshots_taken++;
    if (!keep_snapshots)
        fclose(snap);
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
