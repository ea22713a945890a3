#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib.h"

static void on_event(int event)
{
    printf("event %d\n", event);
}

int dump_cert(const char *path, const char *name)
{
    int n;
    CERT *c;
    STREAM *out = stream_open(path);
    if (out == NULL)
        return -1;
    c = cert_load(name);
    if (c == NULL) {
        stream_close(out);
        return -1;
    }
    n = cert_print(out, c);
    cert_free(c);
    if (n > 10) {
        stream_close(out);
        return 1;
    }
    stream_close(out);
    return 0;
}

int register_method(const char *name, int enabled)
{
    METHOD *m = method_new(name);
    if (m == NULL)
        return -1;
    method_set_callback(m, on_event);
    if (!enabled) {
        method_free(m);
        return 0;
    }
    method_run(m, 1);
    method_free(m);
    return 1;
}

int first_negative(const int *items, int n)
{
    int v;
    ITER *it = iter_new(items, n);
    if (it == NULL)
        return -1;
    while (iter_next(it, &v)) {
        if (v < 0) {
            iter_free(it);
            return v;
        }
    }
    iter_free(it);
    return 0;
}

int fresh_key(int id)
{
    KEY *k = key_new(id);
    if (k == NULL)
        return -1;
    buf_reset(&k->hash);
    if (id > 100) {
        key_free(k);
        return 1;
    }
    key_free(k);
    return 0;
}

int attach_owner(const char *name)
{
    DB *db = db_open(name);
    IMPL *impl;
    if (db == NULL)
        return -1;
    impl = impl_new();
    if (impl == NULL) {
        db_close(db);
        return -1;
    }
    impl_set_owner(impl, db);
    impl_free(impl);
    db_close(db);
    return 0;
}

int keep_items(const char *name)
{
    LIST *l = list_new();
    METHOD *m;
    if (l == NULL)
        return -1;
    list_append(l, strdup(name));
    m = method_new(name);
    if (m != NULL) {
        method_set_data(m, strdup(name));
        method_free(m);
    }
    list_free(l);
    return 0;
}

int main(void)
{
    static const int items[] = {3, -2, 5};
    int rc = dump_cert("/dev/null", "a subject long enough") + register_method("m", 0);
    rc += first_negative(items, 3) + fresh_key(200) + attach_owner("db") + keep_items("x");
    return rc != 1;
}
