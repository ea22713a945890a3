#ifndef LIST_H
#define LIST_H

typedef struct list list;
typedef struct list_iter list_iter;

list *list_create(void);
int list_push(list *l, int value);
void list_release(list *l);
list_iter *list_get_iterator(list *l);
int list_next(list_iter *it, int *out);
void list_release_iterator(list_iter *it);
char *get_config_path(const char *home);
#endif
