#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "res.h"

char *make_res(const char *name)
{
    return strdup(name);
}
