#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

int run_command(int argc, char **argv)
{
    struct args *a = args_parse(argc, argv);
    const char *first;
    if (a == NULL)
        return -1;
    first = args_get(a, 0);
    if (first == NULL || first[0] == '-') {
        return -1;  // expect: resource-leak in run_command
    }
    args_clear(a);
    args_free(a);
    return 0;
}

int spawn(const char *name)
{
    struct environ *env = environ_create();
    if (env == NULL)
        return -1;
    if (environ_set(env, name) != 0 || name[0] == '\0') {
        return -1;  // expect: resource-leak in spawn
    }
    environ_free(env);
    return 0;
}

int main(void)
{
    char first[] = "-v";
    char second[] = "file";
    char *argv[] = {first, second};
    return run_command(2, argv) + spawn("") != -2;
}
