#ifndef WIDGET_H
#define WIDGET_H

struct widget {
    int size;
    char *pixels;
};

struct widget *widget_build(int size);
void widget_destroy(struct widget *w);
struct widget *widget_default(void);
#endif
