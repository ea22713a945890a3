#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib.h"

struct stream {
    FILE *fp;
};
struct cert {
    char *subject;
};
struct method {
    char *name;
    void (*fn)(int);
    char *data;
};
struct iter {
    const int *items;
    int n;
    int pos;
};
struct db {
    char *name;
};
struct impl {
    DB *owner;
};
struct list {
    char *items[8];
    int n;
};

STREAM *stream_open(const char *path)
{
    STREAM *s = malloc(sizeof *s);
    if (s == NULL)
        return NULL;
    s->fp = fopen(path, "w");
    if (s->fp == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void stream_close(STREAM *s)
{
    fclose(s->fp);
    free(s);
}

int cert_print(STREAM *out, CERT *c)
{
    return fprintf(out->fp, "subject=%s\n", c->subject);
}

CERT *cert_load(const char *name)
{
    CERT *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    c->subject = strdup(name);
    return c;
}

void cert_free(CERT *c)
{
    free(c->subject);
    free(c);
}

METHOD *method_new(const char *name)
{
    METHOD *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->name = strdup(name);
    return m;
}

void method_set_callback(METHOD *m, void (*fn)(int))
{
    m->fn = fn;
}

void method_set_data(METHOD *m, char *data)
{
    free(m->data);
    m->data = data;
}

void method_run(METHOD *m, int event)
{
    if (m->fn != NULL)
        m->fn(event);
}

void method_free(METHOD *m)
{
    free(m->data);
    free(m->name);
    free(m);
}

ITER *iter_new(const int *items, int n)
{
    ITER *it = malloc(sizeof *it);
    if (it == NULL)
        return NULL;
    it->items = items;
    it->n = n;
    it->pos = 0;
    return it;
}

int iter_next(ITER *it, int *out)
{
    if (it->pos >= it->n)
        return 0;
    *out = it->items[it->pos++];
    return 1;
}

void iter_free(ITER *it)
{
    free(it);
}

KEY *key_new(int id)
{
    KEY *k = calloc(1, sizeof *k);
    if (k != NULL)
        k->id = id;
    return k;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->data[0] = '\0';
}

void key_free(KEY *k)
{
    free(k);
}

DB *db_open(const char *name)
{
    DB *db = malloc(sizeof *db);
    if (db == NULL)
        return NULL;
    db->name = strdup(name);
    return db;
}

void db_close(DB *db)
{
    free(db->name);
    free(db);
}

IMPL *impl_new(void)
{
    return calloc(1, sizeof(IMPL));
}

void impl_set_owner(IMPL *impl, DB *db)
{
    impl->owner = db;
}

void impl_free(IMPL *impl)
{
    free(impl);
}

LIST *list_new(void)
{
    return calloc(1, sizeof(LIST));
}

void list_append(LIST *l, char *item)
{
    if (l->n < 8)
        l->items[l->n++] = item;
    else
        free(item);
}

void list_free(LIST *l)
{
    int i;
    for (i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l);
}
