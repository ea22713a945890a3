#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dict.h"

struct entry {
    char *key;
    int value;
    struct entry *next;
};
struct dict {
    struct entry *head;
};

static const struct command commands[] = {{"get", 1}, {"set", 2}, {NULL, 0}};

dict *dict_create(void)
{
    return calloc(1, sizeof(dict));
}

int dict_add(dict *d, const char *key, int value)
{
    struct entry *e = malloc(sizeof *e);
    if (e == NULL)
        return -1;
    e->key = strdup(key);
    e->value = value;
    e->next = d->head;
    d->head = e;
    return 0;
}

int dictDelete(dict *d, const char *key)
{
    struct entry **link = &d->head;
    while (*link != NULL) {
        struct entry *e = *link;
        if (strcmp(e->key, key) == 0) {
            *link = e->next;
            free(e->key);
            free(e);
            return 0;
        }
        link = &e->next;
    }
    return -1;
}

void dict_release(dict *d)
{
    while (d->head != NULL)
        dictDelete(d, d->head->key);
    free(d);
}

const struct command *command_first(void)
{
    return &commands[0];
}

const struct command *command_next(const struct command *c)
{
    return c[1].name != NULL ? c + 1 : NULL;
}
