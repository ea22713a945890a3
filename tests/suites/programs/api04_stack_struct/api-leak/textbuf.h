#ifndef TEXTBUF_H
#define TEXTBUF_H
#include <stddef.h>

struct textbuf {
    char *buf;
    size_t len;
    size_t alloc;
};
#define TEXTBUF_INIT {NULL, 0, 0}

void textbuf_addstr(struct textbuf *tb, const char *s);
void textbuf_dispose(struct textbuf *tb);
char *textbuf_detach(struct textbuf *tb, size_t *len);
#endif
