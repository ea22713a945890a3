#ifndef RES_H
#define RES_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int make_res(const char *name);
void consume_res(int r);
#endif
