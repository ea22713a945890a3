#ifndef SSTR_H
#define SSTR_H
#include <stddef.h>

typedef char *sstr;

sstr sstr_empty(void);
sstr sstr_copy(const char *text);
size_t sstr_len(const sstr s);
void sstr_free(sstr s);

struct config {
    sstr name;
    int port;
};
sstr config_get_name(struct config *c);
#endif
