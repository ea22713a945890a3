#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fatal(const char *msg) __attribute__((noreturn));

static void fatal(const char *msg)
{
    fprintf(stderr, "fatal: %s\n", msg);
    exit(1);
}

static void *xrealloc(void *ptr, size_t size)
{
    void *out = realloc(ptr, size);
    if (out == NULL)
        fatal("out of memory");
    return out;
}

int append(const char *name, size_t extra)
{
    char *buf = malloc(strlen(name) + 1);
    if (buf == NULL)
        return -1;
    buf[0] = '\0';
    buf = xrealloc(buf, strlen(name) + extra + 1);
    strcat(buf, name);
    free(buf);
    return 0;
}

int main(void)
{
    return append("/dev/null", 8);
}
