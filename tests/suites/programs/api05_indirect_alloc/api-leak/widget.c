#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "widget.h"

static struct widget fallback;

struct widget *widget_build(int size)
{
    struct widget *w = malloc(sizeof *w);
    if (w == NULL)
        return NULL;
    w->size = size;
    w->pixels = calloc(size, 1);
    if (w->pixels == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

void widget_destroy(struct widget *w)
{
    if (w == NULL)
        return;
    free(w->pixels);
    free(w);
}

struct widget *widget_default(void)
{
    return &fallback;
}
