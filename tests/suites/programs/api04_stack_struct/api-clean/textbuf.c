#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textbuf.h"

static void textbuf_grow(struct textbuf *tb, size_t extra)
{
    char *p;
    if (tb->len + extra + 1 <= tb->alloc)
        return;
    tb->alloc = (tb->len + extra + 1) * 2;
    p = realloc(tb->buf, tb->alloc);
    if (p == NULL)
        abort();
    tb->buf = p;
}

void textbuf_addstr(struct textbuf *tb, const char *s)
{
    size_t n = strlen(s);
    textbuf_grow(tb, n);
    memcpy(tb->buf + tb->len, s, n + 1);
    tb->len += n;
}

void textbuf_dispose(struct textbuf *tb)
{
    free(tb->buf);
    tb->buf = NULL;
    tb->len = tb->alloc = 0;
}

char *textbuf_detach(struct textbuf *tb, size_t *len)
{
    char *out = tb->buf;
    if (len != NULL)
        *len = tb->len;
    tb->buf = NULL;
    tb->len = tb->alloc = 0;
    return out;
}
