#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "res.h"

void consume_res(char *r)
{
    r[0] = '\0';
}
