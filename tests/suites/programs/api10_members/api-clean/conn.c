#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conn.h"

struct conn *conn_new(int id)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c != NULL)
        c->id = id;
    return c;
}

void conn_set_buf(struct conn *c, const char *text)
{
    free(c->buf);
    c->buf = strdup(text);
}

void conn_free(struct conn *c)
{
    if (c == NULL)
        return;
    free(c->buf);
    free(c);
}
