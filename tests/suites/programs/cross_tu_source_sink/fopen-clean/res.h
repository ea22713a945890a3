#ifndef RES_H
#define RES_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FILE *make_res(const char *name);
void consume_res(FILE *r);
#endif
