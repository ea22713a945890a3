#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "repo.h"

int count_entries(struct repo *r, int limit)
{
    struct index *idx;
    int n;
    if (repo_get_index(&idx, r) != 0)
        return -1;
    if (idx->entries > limit) {
        return -2;  // expect: resource-leak in count_entries
    }
    n = idx->entries;
    index_free(idx);
    return n;
}

int peek_entries(struct repo *r)
{
    struct index *idx;
    if (repo_peek_index(&idx, r) != 0)
        return -1;
    return idx->entries;
}

int encode_name(const char *name)
{
    char *enc;
    size_t n;
    if (base64_encode((const unsigned char *)name, strlen(name), &enc, &n) != 0)
        return -1;
    if (n > 8) {
        return 1;  // expect: resource-leak in encode_name
    }
    puts(enc);
    free(enc);
    return 0;
}

int main(void)
{
    struct index cached = {3};
    struct repo r = {&cached, 1};
    return count_entries(&r, 1) + peek_entries(&r) + encode_name("a long name") != 2;
}
