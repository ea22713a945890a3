#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"

msg *msg_from_text(const char *text)
{
    msg *m = malloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->text = strdup(text);
    if (m->text == NULL) {
        free(m);
        return NULL;
    }
    m->refs = 1;
    return m;
}

msg *msg_ref(msg *m)
{
    m->refs++;
    return m;
}

void msg_unref(msg *m)
{
    if (m == NULL)
        return;
    if (--m->refs > 0)
        return;
    free(m->text);
    free(m);
}

const char *msg_text(const msg *m)
{
    return m->text;
}

int msg_refcount(const msg *m)
{
    return m->refs;
}
