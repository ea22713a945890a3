#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "res.h"

int run(const char *name)
{
    char *r = make_res(name);
    consume_res(r);
    return 0;
}

int main(void)
{
    return run("/dev/null");
}
