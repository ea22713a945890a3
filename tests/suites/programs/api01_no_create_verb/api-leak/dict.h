#ifndef DICT_H
#define DICT_H

typedef struct dict dict;
struct command {
    const char *name;
    int flags;
};

dict *dict_create(void);
int dict_add(dict *d, const char *key, int value);
int dictDelete(dict *d, const char *key);
void dict_release(dict *d);
const struct command *command_first(void);
const struct command *command_next(const struct command *c);
#endif
