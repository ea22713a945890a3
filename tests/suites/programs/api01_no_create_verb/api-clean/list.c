#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "list.h"

struct list {
    int items[16];
    int count;
};

struct list_iter {
    list *l;
    int pos;
};

list *list_create(void)
{
    return calloc(1, sizeof(list));
}

int list_push(list *l, int value)
{
    if (l->count == 16)
        return -1;
    l->items[l->count++] = value;
    return 0;
}

void list_release(list *l)
{
    free(l);
}

list_iter *list_get_iterator(list *l)
{
    list_iter *it = malloc(sizeof *it);
    if (it == NULL)
        return NULL;
    it->l = l;
    it->pos = 0;
    return it;
}

int list_next(list_iter *it, int *out)
{
    if (it->pos >= it->l->count)
        return 0;
    *out = it->l->items[it->pos++];
    return 1;
}

void list_release_iterator(list_iter *it)
{
    free(it);
}

char *get_config_path(const char *home)
{
    char *path = malloc(strlen(home) + 16);
    if (path == NULL)
        return NULL;
    strcpy(path, home);
    strcat(path, "/.apprc");
    return path;
}
