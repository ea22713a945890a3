#ifndef CONN_H
#define CONN_H

#ifdef __cplusplus
extern "C" {
#endif
struct conn {
    char *buf;
    int id;
};
struct conn *conn_new(int id);
void conn_set_buf(struct conn *c, const char *text);
void conn_free(struct conn *c);
#ifdef __cplusplus
}
#endif
#endif
