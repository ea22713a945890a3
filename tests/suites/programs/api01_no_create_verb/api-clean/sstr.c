#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sstr.h"

struct sstr_hdr {
    size_t len;
};

sstr sstr_copy(const char *text)
{
    size_t n = strlen(text);
    struct sstr_hdr *h = malloc(sizeof *h + n + 1);
    if (h == NULL)
        return NULL;
    h->len = n;
    memcpy((char *)(h + 1), text, n + 1);
    return (char *)(h + 1);
}

sstr sstr_empty(void)
{
    return sstr_copy("");
}

size_t sstr_len(const sstr s)
{
    return ((const struct sstr_hdr *)s - 1)->len;
}

void sstr_free(sstr s)
{
    if (s == NULL)
        return;
    free((struct sstr_hdr *)s - 1);
}

sstr config_get_name(struct config *c)
{
    return c->name;
}
