#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

struct args *args_parse(int argc, char **argv)
{
    int i;
    struct args *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    for (i = argc - 1; i >= 0; i--) {
        struct arg_entry *e = malloc(sizeof *e);
        if (e == NULL)
            break;
        e->value = strdup(argv[i]);
        e->next = a->head;
        a->head = e;
        a->count++;
    }
    return a;
}

const char *args_get(struct args *a, int i)
{
    struct arg_entry *e = a->head;
    while (e != NULL && i-- > 0)
        e = e->next;
    return e ? e->value : NULL;
}

void args_clear(struct args *a)
{
    struct arg_entry *e, *next;
    for (e = a->head; e != NULL; e = next) {
        next = e->next;
        free(e->value);
        free(e);
    }
    a->head = NULL;
    a->count = 0;
}

void args_free(struct args *a)
{
    struct arg_entry *e, *next;
    for (e = a->head; e != NULL; e = next) {
        next = e->next;
        free(e->value);
        free(e);
    }
    free(a);
}

struct environ *environ_create(void)
{
    return calloc(1, sizeof(struct environ));
}

int environ_set(struct environ *env, const char *name)
{
    struct environ_var *v = malloc(sizeof *v);
    if (v == NULL)
        return -1;
    v->name = strdup(name);
    v->next = env->first;
    env->first = v;
    return 0;
}

void environ_free(struct environ *env)
{
    while (env->first != NULL) {
        struct environ_var *v = env->first;
        env->first = v->next;
        free(v->name);
        free(v);
    }
    free(env);
}
