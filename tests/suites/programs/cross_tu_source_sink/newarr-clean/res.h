#ifndef RES_H
#define RES_H
#include <cstdio>
#include <cstdlib>
#include <cstring>

char *make_res(const char *name);
void consume_res(char *r);
#endif
