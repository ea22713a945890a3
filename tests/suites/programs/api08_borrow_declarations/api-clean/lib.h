#ifndef LIB_H
#define LIB_H

typedef struct stream STREAM;
typedef struct cert CERT;
typedef struct method METHOD;
typedef struct iter ITER;
typedef struct db DB;
typedef struct impl IMPL;
typedef struct list LIST;

struct buf {
    char data[32];
    int len;
};
typedef struct key {
    struct buf hash;
    int id;
} KEY;

STREAM *stream_open(const char *path);
void stream_close(STREAM *s);
int cert_print(STREAM *out, CERT *c);
CERT *cert_load(const char *name);
void cert_free(CERT *c);

METHOD *method_new(const char *name);
void method_set_callback(METHOD *m, void (*fn)(int));
void method_set_data(METHOD *m, char *data);
void method_run(METHOD *m, int event);
void method_free(METHOD *m);

ITER *iter_new(const int *items, int n);
int iter_next(ITER *it, int *out);
void iter_free(ITER *it);

KEY *key_new(int id);
void buf_reset(struct buf *b);
void key_free(KEY *k);

DB *db_open(const char *name);
void db_close(DB *db);
IMPL *impl_new(void);
void impl_set_owner(IMPL *impl, DB *db);
void impl_free(IMPL *impl);

LIST *list_new(void);
void list_append(LIST *l, char *item);
void list_free(LIST *l);
#endif
