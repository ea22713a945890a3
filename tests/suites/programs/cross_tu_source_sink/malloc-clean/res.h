#ifndef RES_H
#define RES_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *make_res(const char *name);
void consume_res(char *r);
#endif
