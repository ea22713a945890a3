#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "repo.h"

int repo_get_index(struct index **out, struct repo *r)
{
    struct index *idx;
    if (!r->valid)
        return -1;
    idx = malloc(sizeof *idx);
    if (idx == NULL)
        return -1;
    idx->entries = r->cached ? r->cached->entries : 0;
    *out = idx;
    return 0;
}

int repo_peek_index(struct index **out, struct repo *r)
{
    if (r->cached == NULL)
        return -1;
    *out = r->cached;
    return 0;
}

void index_free(struct index *idx)
{
    free(idx);
}

int base64_encode(const unsigned char *in, size_t len, char **out, size_t *outlen)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    size_t n = 0;
    char *buf = malloc(len * 2 + 1);
    if (buf == NULL)
        return -1;
    for (i = 0; i < len; i++) {
        buf[n++] = digits[in[i] >> 2];
        buf[n++] = digits[in[i] & 63];
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}
