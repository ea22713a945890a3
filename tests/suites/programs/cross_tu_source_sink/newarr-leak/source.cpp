#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "res.h"

char *make_res(const char *name)
{
    return new char[strlen(name) + 1];
}
