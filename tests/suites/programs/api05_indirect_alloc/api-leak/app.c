#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "widget.h"

int make_widget(int size)
{
    struct widget *w = widget_build(size);
    if (w == NULL)
        return -1;
    if (size > 100) {
        return -2;  // expect: resource-leak in make_widget
    }
    widget_destroy(w);
    return 0;
}

int copy_name(const char *name)
{
    char *p = lib_malloc(strlen(name) + 1);
    if (p == NULL)
        return -1;
    strcpy(p, name);
    if (p[0] == '/') {
        return 1;  // expect: resource-leak in copy_name
    }
    lib_free(p);
    return 0;
}

int scratch(int n)
{
    char *tmp = malloc(n);
    if (tmp == NULL)
        return -1;
    memset(tmp, 0, n);
    buffer_free_fn(tmp);
    return 0;
}

int default_size(void)
{
    struct widget *w = widget_default();
    return w->size;
}

int main(void)
{
    lib_init();
    return make_widget(200) + copy_name("/x") + scratch(8) + default_size() != -1;
}
