#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "res.h"

void consume_res(FILE *r)
{
    (void)fgetc(r);
    fclose(r);
}
