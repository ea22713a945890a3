#ifndef REPO_H
#define REPO_H
#include <stddef.h>

struct index {
    int entries;
};
struct repo {
    struct index *cached;
    int valid;
};

int repo_get_index(struct index **out, struct repo *r);
int repo_peek_index(struct index **out, struct repo *r);
void index_free(struct index *idx);
int base64_encode(const unsigned char *in, size_t len, char **out, size_t *outlen);
#endif
