#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "settings.h"

int stage(const char *name)
{
    char *buf = new char[strlen(name) + 1];
    buf[0] = '\0';
    if (release_buffers)
        delete[] buf;
    return 0;  // expect: resource-leak in stage
}

int main(void)
{
    return stage("/dev/null");
}
