#ifndef ARGS_H
#define ARGS_H

struct arg_entry {
    char *value;
    struct arg_entry *next;
};
struct args {
    struct arg_entry *head;
    int count;
};
struct environ_var {
    char *name;
    struct environ_var *next;
};
struct environ {
    struct environ_var *first;
};

struct args *args_parse(int argc, char **argv);
const char *args_get(struct args *a, int i);
void args_clear(struct args *a);
void args_free(struct args *a);
struct environ *environ_create(void);
int environ_set(struct environ *env, const char *name);
void environ_free(struct environ *env);
#endif
